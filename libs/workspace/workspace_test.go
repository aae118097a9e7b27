package workspace

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestRootFindsGoWorkAbove(t *testing.T) {
	root, err := Root()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.work")); err != nil {
		t.Fatalf("Root() = %s, which holds no go.work", root)
	}
	if filepath.Base(root) == "workspace" {
		t.Fatalf("Root() = %s stopped at the package folder", root)
	}
}

func TestRootOutsideTheRepository(t *testing.T) {
	t.Chdir(t.TempDir())
	if _, err := Root(); !errors.Is(err, ErrNoWorkspace) {
		t.Fatalf("Root() outside the repository: err = %v, want ErrNoWorkspace", err)
	}
}
