// Command floor links the libraries awsx must use and exits at once: the
// least any awsx command can cost, since a Go program runs every linked
// package's initialisation before main. bench/bench.py times it beside
// awsx, so the figures can be read against it on any machine.
package main

import (
	_ "github.com/99designs/keyring"
	_ "github.com/alecthomas/kong"
	_ "github.com/aws/aws-sdk-go-v2/config"
	_ "github.com/aws/aws-sdk-go-v2/service/sso"
	_ "github.com/aws/aws-sdk-go-v2/service/ssooidc"
	_ "github.com/aws/aws-sdk-go-v2/service/sts"
	_ "github.com/mattn/go-isatty"
)

func main() {}
