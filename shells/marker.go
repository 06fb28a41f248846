package shells

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
)

// MarkerName is the name of the file that maps a directory tree to a
// profile.
const MarkerName = ".awsx"

// maxMarkerSize bounds what is read from a marker: a real one is a few
// lines, and a huge or endless file (a device, say) must not stall a prompt.
const maxMarkerSize = 4096

// Marker is a parsed .awsx file: data, never code.
type Marker struct {
	Path    string // the file as found from the working directory
	Profile string // profile = NAME
	Region  string // region = NAME, empty when absent
	Sum     string // hex SHA-256 of the content, what trust records
}

// Dir is the directory the marker governs.
func (m *Marker) Dir() string { return filepath.Dir(m.Path) }

// FindMarker returns the path of the nearest .awsx file in dir or one of
// its parents.
func FindMarker(dir string) (string, bool) {
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if p, ok := markerAt(d); ok {
			return p, true
		}
		if d == filepath.Dir(d) {
			return "", false
		}
	}
}

// markerAt returns the path of d's .awsx file when d has one. A directory
// called .awsx (awsx's own ~/.awsx, for one) is not a marker and is passed
// over, also through a symlink; anything else is a marker, to be refused
// with a reason if it is not a regular file.
func markerAt(d string) (string, bool) {
	p := filepath.Join(d, MarkerName)
	fi, err := os.Lstat(p)
	if err != nil || fi.IsDir() {
		return "", false
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		if ti, err := os.Stat(p); err == nil && ti.IsDir() {
			return "", false
		}
	}
	return p, true
}

// validValue reports whether s may be used as a profile or region name:
// letters, digits, dot, underscore and dash only, so that nothing read from
// a marker can mean anything to a shell or a terminal.
func validValue(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
		default:
			return false
		}
	}
	return true
}

// ValidName reports whether s is acceptable as a profile or region name in
// a marker or for the hook: [A-Za-z0-9._-]+.
func ValidName(s string) bool { return validValue(s) }

// ReadMarker reads and checks the marker at path: a regular file, not
// writable by group or others, readable, and made of `key = value` lines
// with valid values. Its errors are one line for the user.
func ReadMarker(path string) (*Marker, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", ShowPath(path), unwrapPathError(err))
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file; refusing it", ShowPath(path))
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return nil, fmt.Errorf("%s is writable by group or others; refusing it (chmod go-w %s)", ShowPath(path), ShowPath(path))
	}
	// root reads any file, but a marker that nobody may read is refused for
	// root too, so that root sees what its users see.
	if fi.Mode().Perm()&0o444 == 0 {
		return nil, fmt.Errorf("cannot read %s: %w", ShowPath(path), fs.ErrPermission)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", ShowPath(path), unwrapPathError(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxMarkerSize+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", ShowPath(path), unwrapPathError(err))
	}
	if len(data) > maxMarkerSize {
		return nil, fmt.Errorf("%s is larger than %d bytes; refusing it", ShowPath(path), maxMarkerSize)
	}
	m, err := ParseMarker(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ShowPath(path), err)
	}
	m.Path = path
	return m, nil
}

// ParseMarker parses the content of a marker: `key = value` lines, `#`
// starting a comment, keys profile (required) and region. Unknown keys are
// refused rather than ignored, so a typo never silently means "no region".
func ParseMarker(data []byte) (*Marker, error) {
	sum := sha256.Sum256(data)
	m := &Marker{Sum: hex.EncodeToString(sum[:])}
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, maxMarkerSize+1), maxMarkerSize+1)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if !ok {
			return nil, fmt.Errorf("line %d: want key = value", n)
		}
		switch key {
		case "profile", "region":
		default:
			if validValue(key) {
				return nil, fmt.Errorf("line %d: unknown key %s (want profile or region)", n, key)
			}
			return nil, fmt.Errorf("line %d: unknown key (want profile or region)", n)
		}
		if seen[key] {
			return nil, fmt.Errorf("line %d: %s given twice", n, key)
		}
		seen[key] = true
		if !validValue(value) {
			return nil, fmt.Errorf("line %d: %s must be made of A-Z a-z 0-9 . _ - only", n, key)
		}
		if key == "profile" {
			m.Profile = value
		} else {
			m.Region = value
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if m.Profile == "" {
		return nil, errors.New("no profile = NAME line")
	}
	return m, nil
}

// unwrapPathError drops the path from an *fs.PathError: messages name the
// path themselves, quoted when needed.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// ShowPath returns p fit for a one-line message: as is when it is plain,
// Go-quoted when it holds spaces, quotes, control characters or anything a
// terminal could take for an escape.
func ShowPath(p string) string {
	for _, r := range p {
		if r == ' ' || r == '"' || r == '\'' || r == '\\' || r == '`' || r == '$' || !unicode.IsPrint(r) {
			return strconv.Quote(p)
		}
	}
	return p
}
