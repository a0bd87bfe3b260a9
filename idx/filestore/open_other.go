//go:build !unix

package filestore

import "os"

// readFlags opens a token file for reading. Where the platform has no
// FIFOs that block an open, a plain read-only open is enough.
const readFlags = os.O_RDONLY
