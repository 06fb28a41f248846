//go:build !windows

package vault

import (
	"fmt"
	"os"
)

// credentialsOverlay hands the SDK's loader a credentials "file" that is a
// pipe, so the placeholder keys never touch the disk.
func credentialsOverlay(names []string) (path string, done func(), err error) {
	r, w, err := os.Pipe()
	if err != nil {
		return "", nil, fmt.Errorf("credentials overlay: %w", err)
	}
	text := overlayText(names)
	go func() {
		_, _ = w.WriteString(text)
		_ = w.Close()
	}()
	return fmt.Sprintf("/dev/fd/%d", r.Fd()), func() { _ = r.Close() }, nil
}
