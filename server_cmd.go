package main

import (
	"context"
	"errors"
)

func runServer(ctx context.Context, a *app, c *ExecCmd, argv []string) error {
	return errors.New("exec --server is not available yet")
}
