// Package headstart begins, while awsx is still starting, deriving the
// file keyring's key for the item that the shell hook's run will read
// (package kek says why that is worth it): the session of the profile
// that the nearest marker names. main imports it for its init alone.
// Package keystart does the same, earlier, for the lines that name their
// profile; finding the marker needs package shells, which Go initialises
// later, though still before most of the AWS SDK's packages, whose
// initialisation then overlaps the derivation.
package headstart

import (
	"os"
	"path/filepath"

	"github.com/awsx-cli/awsx/internal/argv"
	"github.com/awsx-cli/awsx/internal/items"
	"github.com/awsx-cli/awsx/internal/kek"
	"github.com/awsx-cli/awsx/shells"
)

func init() {
	if item, _ := kek.HeadStart(); item != "" {
		return // package keystart started one
	}
	home, _ := os.UserHomeDir()
	guess(os.Args[1:], os.Getenv, home, os.Getwd)
}

// guess finds the item that the command reads first when its cache is
// warm, and starts deriving its key; it returns the item's name.
func guess(args []string, getenv func(string) string, home string, getwd func() (string, error)) string {
	passphrase := getenv("AWSX_FILE_PASSPHRASE")
	if passphrase == "" {
		return "" // a prompt comes later, or another backend is in use
	}
	cmd, _, backend := argv.Parse(args)
	if backend == "" {
		backend = getenv("AWSX_BACKEND")
	}
	if backend != "" && backend != "file" {
		return ""
	}
	if cmd != "hook-env" {
		return ""
	}
	// Only a guess: whether the marker is trusted is decided later. A
	// shell already in the marker's profile (a cd within its tree) reads
	// no item unless its session is about to end.
	p := markerProfile(getwd)
	if p == "" || p == getenv("AWSX_PROFILE") {
		return ""
	}
	// A warm run reads the profile's cached session and nothing else.
	item := items.Session(p)
	if !kek.Start(filepath.Join(items.FileDir(home, getenv), items.File(item)), item, passphrase) {
		return ""
	}
	return item
}

// markerProfile is the profile the nearest .awsx marker names.
func markerProfile(getwd func() (string, error)) string {
	wd, err := getwd()
	if err != nil {
		return ""
	}
	path, ok := shells.FindMarker(wd)
	if !ok {
		return ""
	}
	m, err := shells.ReadMarker(path)
	if err != nil {
		return ""
	}
	return m.Profile
}
