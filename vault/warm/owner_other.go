//go:build !unix

package warm

import "os"

// Elsewhere (Windows) the mode bits do not say who may write a file, so
// nothing is recorded or replayed.
const ownerChecks = false

const noFollow = 0

func ownedByMe(os.FileInfo) bool { return false }

func fileID(os.FileInfo) (string, bool) { return "", false }
