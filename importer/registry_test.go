package importer

import (
	"testing"
)

func TestRegistry(t *testing.T) {
	t.Cleanup(func() { // so that -count=n works
		registry.Lock()
		defer registry.Unlock()
		delete(registry.plugins, "zz-test-a")
		delete(registry.plugins, "zz-test-b")
	})
	Register(fakePlugin{"zz-test-b"})
	Register(fakePlugin{"zz-test-a"})
	if p, ok := Lookup("zz-test-a"); !ok || p.Name() != "zz-test-a" {
		t.Errorf("Lookup: %v %v", p, ok)
	}
	if _, ok := Lookup("zz-test-none"); ok {
		t.Error("Lookup of an unknown name")
	}
	ps := Plugins()
	for i := 1; i < len(ps); i++ {
		if ps[i-1].Name() >= ps[i].Name() {
			t.Errorf("not sorted: %s before %s", ps[i-1].Name(), ps[i].Name())
		}
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("a duplicate name did not panic")
			}
		}()
		Register(fakePlugin{"zz-test-a"})
	}()
}
