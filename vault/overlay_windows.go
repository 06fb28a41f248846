package vault

import (
	"fmt"
	"os"
)

// credentialsOverlay writes the placeholder keys to a temporary file:
// Windows has no /dev/fd. The file holds no secret.
func credentialsOverlay(names []string) (path string, done func(), err error) {
	f, err := os.CreateTemp("", "awsx-overlay-*.ini")
	if err != nil {
		return "", nil, fmt.Errorf("credentials overlay: %w", err)
	}
	_, err = f.WriteString(overlayText(names))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return "", nil, fmt.Errorf("credentials overlay: %w", err)
	}
	return f.Name(), func() { _ = os.Remove(f.Name()) }, nil
}
