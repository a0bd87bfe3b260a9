//go:build !unix

package idx_test

import "time"

// processCPU is not measured on this system: the CPU metrics read zero.
func processCPU() time.Duration { return 0 }
