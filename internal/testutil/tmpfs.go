package testutil

import (
	"os"
	"os/exec"
	"testing"
)

// SmallDisk mounts a tmpfs of size (as mount's -o size=, "4m") and returns
// its folder, unmounted when t ends: a disk that fills up, for the tests of
// what a full disk does. It skips t under -short, when not root, or where
// mounting is not allowed.
func SmallDisk(t *testing.T, size string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("mounts a tmpfs")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a small tmpfs")
	}
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", mnt).Run() })
	return mnt
}
