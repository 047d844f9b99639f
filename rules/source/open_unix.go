//go:build unix

package source

import (
	"os"
	"syscall"
)

// openNonBlocking opens a file for reading without blocking on a FIFO that
// has no writer, so the caller can see what it opened before reading.
func openNonBlocking(name string) (*os.File, error) {
	return os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
