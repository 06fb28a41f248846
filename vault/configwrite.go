package vault

import (
	"bytes"
	"fmt"

	"gopkg.in/ini.v1"
)

// newSection is a section awsx adds to the config file.
type newSection struct {
	name    string // the section's name, e.g. "profile prod"
	comment string // one line above it, without the leading '#'
	keys    [][2]string
}

// renderSections writes secs as ini text with the ini library, one blank
// line before each, for appendSections to add to the file.
func renderSections(secs []newSection) (string, error) {
	f := ini.Empty(ini.LoadOptions{Loose: true})
	for _, s := range secs {
		sec, err := f.NewSection(s.name)
		if err != nil {
			return "", fmt.Errorf("section %q: %w", s.name, err)
		}
		if s.comment != "" {
			sec.Comment = "# " + s.comment
		}
		for _, kv := range s.keys {
			if _, err := sec.NewKey(kv[0], kv[1]); err != nil {
				return "", fmt.Errorf("section %q: %w", s.name, err)
			}
		}
	}
	// The library's switches are global; awsx writes no other ini text.
	// `key = value` without column alignment is how AWS documents the file.
	ini.PrettyFormat, ini.PrettyEqual = false, true
	var b bytes.Buffer
	if _, err := f.WriteTo(&b); err != nil {
		return "", err
	}
	return "\n" + b.String(), nil
}

// EnsureProfile adds a `[profile NAME]` section to the config file when it
// has none, leaving every byte already there as it is. It reports whether
// it added one.
func (c *Config) EnsureProfile(name string) (bool, error) {
	if c.Has(name) {
		return false, nil
	}
	text, err := renderSections([]newSection{{name: "profile " + name, comment: "Added by awsx add."}})
	if err != nil {
		return false, err
	}
	if err := c.appendSections(text); err != nil {
		return false, err
	}
	return true, nil
}
