package store

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// PutBlob stores the content of r as dir/blobs/<aa>/<sha256hex> (0600) and
// returns its sha256 in hex and its size. Storing the same content again
// changes nothing. The content is written to a temporary file and renamed
// into place, so a blob path never holds a partial file.
func (s *Store) PutBlob(r io.Reader) (sha256hex string, n int64, err error) {
	blobs := filepath.Join(s.dir, "blobs")
	// The content's name is known only at the end: write beside the target
	// (same file system, so the rename is atomic) and name it then.
	tmp, err := os.CreateTemp(blobs, ".tmp-*")
	if err != nil {
		return "", 0, fmt.Errorf("store: cannot create a blob in %s: %w", blobs, err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	if n, err = io.Copy(io.MultiWriter(tmp, h), r); err != nil {
		return "", 0, fmt.Errorf("store: writing blob (disk full?): %w", err)
	}
	if !s.noSync {
		if err = tmp.Sync(); err != nil {
			return "", 0, fmt.Errorf("store: writing blob (disk full?): %w", err)
		}
	}
	if err = tmp.Close(); err != nil {
		return "", 0, fmt.Errorf("store: writing blob (disk full?): %w", err)
	}
	sha256hex = hex.EncodeToString(h.Sum(nil))
	dst := s.BlobPath(sha256hex)
	if err = os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return "", 0, fmt.Errorf("store: cannot create blob folder: %w", err)
	}
	if _, serr := os.Stat(dst); serr == nil {
		// Content-addressed: a file with this name has this content.
		_ = os.Remove(tmp.Name())
		return sha256hex, n, nil
	} else if !errors.Is(serr, fs.ErrNotExist) {
		err = serr
		return "", 0, fmt.Errorf("store: blob %s: %w", dst, err)
	}
	if err = os.Rename(tmp.Name(), dst); err != nil {
		return "", 0, fmt.Errorf("store: cannot move blob into place: %w", err)
	}
	return sha256hex, n, nil
}

// BlobPath is where the blob with the given sha256 (lowercase hex) is or
// would be stored. It returns "" for a string that is not a sha256 in hex,
// so that no caller can be led outside the blob folder.
func (s *Store) BlobPath(sha string) string {
	if len(sha) != sha256.Size*2 {
		return ""
	}
	for _, c := range sha {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return ""
		}
	}
	return filepath.Join(s.dir, "blobs", sha[:2], sha)
}
