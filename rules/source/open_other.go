//go:build !unix

package source

import "os"

// openNonBlocking opens a file for reading. Outside Unix there are no
// FIFOs in a working tree to block on.
func openNonBlocking(name string) (*os.File, error) { return os.Open(name) }
