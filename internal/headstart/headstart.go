// Package headstart begins, while awsx is still starting, the one piece of
// a warm run's work that depends only on its command line, environment
// and working directory: deriving the file keyring's key for the item the
// command will read (package kek says why that is worth it). main imports
// it for its init alone.
//
// Go initialises a package as soon as its imports are, the first in
// import-path order among those ready. This one imports little, so its
// init runs before most of the AWS SDK's packages, whose initialisation
// then overlaps the derivation.
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
		return // package earlyexec started it
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
	cmd, words, backend := argv.Parse(args)
	if backend == "" {
		backend = getenv("AWSX_BACKEND")
	}
	if backend != "" && backend != "file" {
		return ""
	}
	var profiles []string
	switch cmd {
	case "exec", "export", "use":
		// The profile is the first word after the command that is not a
		// flag; a flag's separate value may come first, and names no item.
		profiles = words
	case "hook-env":
		// Only a guess: whether the marker is trusted is decided later. A
		// shell already in the marker's profile (a cd within its tree)
		// reads no item unless its session is about to end.
		if p := markerProfile(getwd); p != "" && p != getenv("AWSX_PROFILE") {
			profiles = []string{p}
		}
	}
	if len(profiles) == 0 {
		return ""
	}
	// A warm run reads the profile's cached session and nothing else.
	dir := items.FileDir(home, getenv)
	for _, p := range profiles {
		item := items.Session(p)
		if kek.Start(filepath.Join(dir, items.File(item)), item, passphrase) {
			return item
		}
	}
	return ""
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
