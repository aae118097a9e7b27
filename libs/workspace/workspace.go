// Package workspace locates the repository checkout, the folder holding go.work, for the tools
// that run from it: the `make run` runner and the test server finders. Services never use it.
package workspace

import (
	"errors"
	"os"
	"path/filepath"
)

// ErrNoWorkspace says the working directory is not inside the repository.
var ErrNoWorkspace = errors.New("no go.work above the working directory")

// Root walks up from the working directory to the folder holding go.work.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", ErrNoWorkspace
		}
		dir = parent
	}
}
