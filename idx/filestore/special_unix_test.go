//go:build unix

package filestore_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goidx/goidx/idx/filestore"
)

// Goal: a token file's path that holds something other than a regular
// file (a FIFO nobody writes to, a device, a directory) makes Load fail
// with ErrNotRegular within the context's deadline, never block on it.
func TestSpecialFiles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		make func(t *testing.T, path string)
	}{
		{"fifo", func(t *testing.T, path string) {
			if err := syscall.Mkfifo(path, 0o600); err != nil {
				t.Skipf("SKIPPED: cannot make a FIFO here: %v", err)
			}
			// Should Load open it for reading and block, a writer
			// opening it lets the open return, so the test can end.
			t.Cleanup(func() {
				if f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
					f.Close()
				}
			})
		}},
		{"symlink to a device", func(t *testing.T, path string) {
			if err := os.Symlink("/dev/zero", path); err != nil {
				t.Fatal(err)
			}
		}},
		{"directory", func(t *testing.T, path string) {
			if err := os.Mkdir(path, 0o700); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			s := newStore(t, dir, newKey(t))
			// Find the file name of state "a": save, note, remove.
			if err := s.Save(t.Context(), "a", tokens()); err != nil {
				t.Fatal(err)
			}
			path := files(t, dir)[0]
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			tt.make(t, path)

			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
			defer cancel()
			type result struct{ err error }
			done := make(chan result, 1)
			go func() {
				_, err := s.Load(ctx, "a")
				done <- result{err}
			}()
			var err error
			select {
			case r := <-done:
				err = r.err
			case <-time.After(30 * time.Second): // far past the deadline: Load is stuck
				t.Fatal("Load is still blocked 28 s after its context's deadline")
			}
			if !errors.Is(err, filestore.ErrNotRegular) {
				t.Errorf("Load = %v; want ErrNotRegular", err)
			}
			if strings.Contains(err.Error(), filepath.Base(path)) {
				t.Errorf("error names the file: %v", err)
			}
			// Save replaces it with a regular file.
			if err := s.Save(t.Context(), "a", tokens()); err != nil && tt.name != "directory" {
				t.Errorf("Save over it: %v", err)
			}
		})
	}
}
