//go:build unix

package filestore

import (
	"os"
	"syscall"
)

// readFlags opens a token file for reading without blocking: opening a
// FIFO otherwise waits for a writer, past any context deadline.
const readFlags = os.O_RDONLY | syscall.O_NONBLOCK
