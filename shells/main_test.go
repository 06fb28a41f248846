package shells

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	if os.Getenv("AWSX_FAKE_BIN") == "1" {
		os.Exit(fakeMain(os.Args[1:]))
	}
	os.Exit(m.Run())
}
