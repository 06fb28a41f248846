package vault

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"gopkg.in/ini.v1"
)

// EnsureProfile adds an empty `[profile NAME]` section to the config file
// when it has none, keeping everything else as it is. It reports whether it
// added one.
func (c *Config) EnsureProfile(name string, keys map[string]string) (bool, error) {
	if c.Has(name) {
		return false, nil
	}
	f, err := c.editable()
	if err != nil {
		return false, err
	}
	sec, err := f.NewSection("profile " + name)
	if err != nil {
		return false, fmt.Errorf("add profile %q to %s: %w", name, c.Path, err)
	}
	for k, v := range keys {
		sec.Key(k).SetValue(v)
	}
	if err := c.save(f); err != nil {
		return false, err
	}
	return true, nil
}

// editable loads the file for writing with comments and layout kept.
func (c *Config) editable() (*ini.File, error) {
	data, err := os.ReadFile(c.Path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read config %s: %w", c.Path, err)
	}
	f, err := ini.LoadSources(ini.LoadOptions{Loose: true, PreserveSurroundedQuote: true, SpaceBeforeInlineComment: true}, data)
	if err != nil {
		return nil, fmt.Errorf("config %s is malformed: %v", c.Path, cleanIniError(err))
	}
	return f, nil
}

// save writes f over the config file atomically: a temporary file in the
// same directory, renamed into place, so a crash never leaves half a file.
func (c *Config) save(f *ini.File) error {
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return fmt.Errorf("write config %s: %w", c.Path, err)
	}
	dir := filepath.Dir(c.Path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("write config %s: %w", c.Path, err)
	}
	mode := os.FileMode(0o600)
	if fi, err := os.Stat(c.Path); err == nil {
		mode = fi.Mode().Perm()
	}
	tmp, err := os.CreateTemp(dir, ".config-awsx-*")
	if err != nil {
		return fmt.Errorf("write config %s: %w", c.Path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return fmt.Errorf("write config %s: %w", c.Path, err)
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return fmt.Errorf("write config %s: %w", c.Path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write config %s: %w", c.Path, err)
	}
	if err := os.Rename(tmp.Name(), c.Path); err != nil {
		return fmt.Errorf("write config %s: %w", c.Path, err)
	}
	reloaded, err := LoadConfig(c.Path)
	if err != nil {
		return err
	}
	*c = *reloaded
	return nil
}
