package vaulttest

import (
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// stopMoto stops the shared moto after the tests, because testscript.Main
// exits the process and would leave it running.
type stopMoto struct{ m *testing.M }

func (s stopMoto) Run() int {
	defer StopShared()
	return s.m.Run()
}

func TestMain(m *testing.M) {
	testscript.Main(stopMoto{m}, nil)
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:   "testdata",
		Setup: Setup,
		Cmds:  Commands(),
	})
}
