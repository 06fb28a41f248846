// Package completions generates bash, zsh and fish completion scripts from
// the kong model of the CLI, so that completion can never drift from the
// commands and flags the binary really accepts.
//
// The scripts hold the CLI's shape as static tables (subcommands, flags,
// which flags take a value, what each value and positional argument is) and
// a small walker over the words already typed. Only profile names are
// dynamic: the scripts ask "BIN __profiles" for them at completion time, so
// a profile added to the config completes at once. Profiles are completed
// for every positional argument or flag named profile or *-profile.
package completions

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/alecthomas/kong"
)

// Shells lists the shells Generate supports.
var Shells = []string{"bash", "zsh", "fish"}

// validBin keeps the command name usable as part of shell function names and
// as a literal word in all three shells without quoting surprises.
// It compiles on first use: every start of awsx would pay for it otherwise.
var validBin = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`) })

// Options adjust Generate.
type Options struct {
	// Bin is the command the script completes, and runs as "Bin __profiles"
	// to list profile names; empty means the application's name.
	Bin string
	// Values gives fixed value lists for flags and arguments that carry no
	// enum tag (because they are checked elsewhere, like --backend): a value
	// tagged completion:"KEY" or predictor:"KEY", or else named KEY,
	// completes to Values[KEY].
	Values map[string][]string
}

// Generate returns the completion script for shell ("bash", "zsh" or
// "fish") for the CLI described by app.
func Generate(shell string, app *kong.Application, opts Options) (string, error) {
	bin := opts.Bin
	if bin == "" {
		bin = app.Name
	}
	if !validBin().MatchString(bin) {
		return "", fmt.Errorf("completion: command name %q: use letters, digits, '.', '_' and '-' only", bin)
	}
	root := newModel(app, opts.Values)
	switch shell {
	case "bash":
		return bashScript(root, bin), nil
	case "zsh":
		return zshScript(root, bin), nil
	case "fish":
		return fishScript(root, bin), nil
	}
	return "", fmt.Errorf("completion: unknown shell %q: use one of %s", shell, strings.Join(Shells, ", "))
}

// funcPrefix is the prefix of the scripts' helper functions: bin with every
// character that is not valid in a function name replaced.
func funcPrefix(bin string) string {
	return "__" + strings.Map(func(r rune) rune {
		if r == '-' || r == '.' {
			return '_'
		}
		return r
	}, bin)
}

// shQuote quotes s for bash and zsh: single quotes take everything
// literally except the single quote itself.
func shQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// shTables writes the lookup functions and the word walker that the bash
// and zsh scripts share: both shells read this subset of sh the same way.
// p is the functions' prefix; results come back in ${p}_r so that no
// completion forks a subshell.
//
//	p_child CMD WORD    sets p_r to the id of CMD's subcommand called WORD (name or alias), or fails
//	p_flagval CMD FLAG  sets p_r to the value spec of FLAG after CMD, or fails when FLAG takes no value
//	p_argspec CMD N     sets p_r to the spec of CMD's positional argument N (from 0), or fails
//	p_walk WORD...      walks the words between the command name and the cursor
func shTables(b *strings.Builder, root *command, p string) {
	fmt.Fprintf(b, "%s_child() {\n    case \"$1/$2\" in\n", p)
	root.walk(func(c *command) {
		for _, child := range c.children {
			var pats []string
			for _, name := range append([]string{child.name}, child.aliases...) {
				pats = append(pats, shQuote(c.id+"/"+name))
			}
			fmt.Fprintf(b, "    %s) %s_r=%s ;;\n", strings.Join(pats, "|"), p, shQuote(child.id))
		}
	})
	b.WriteString("    *) return 1 ;;\n    esac\n}\n\n")

	fmt.Fprintf(b, "%s_flagval() {\n    case \"$1/$2\" in\n", p)
	root.walk(func(c *command) {
		for _, f := range c.allFlags() {
			if f.value == nil {
				continue
			}
			var pats []string
			for _, name := range f.names() {
				pats = append(pats, shQuote(c.id+"/"+name))
			}
			fmt.Fprintf(b, "    %s) %s_r=%s ;;\n", strings.Join(pats, "|"), p, shQuote(f.value.spec()))
		}
	})
	b.WriteString("    *) return 1 ;;\n    esac\n}\n\n")

	fmt.Fprintf(b, "%s_argspec() {\n    local n=\"$2\"\n    case \"$1\" in\n", p)
	root.walk(func(c *command) {
		if len(c.args) == 0 {
			return
		}
		fmt.Fprintf(b, "    %s) set -- %s ;;\n", shQuote(c.id), strings.Join(argSpecs(c, shQuote), " "))
	})
	b.WriteString("    *) set -- ;;\n    esac\n")
	b.WriteString(strings.ReplaceAll(`    while [ "$#" -gt 0 ]; do
        case $1 in
        *...) @P@_r=${1%...}; return 0 ;;
        esac
        if [ "$n" = 0 ]; then @P@_r=$1; return 0; fi
        n=$((n - 1))
        shift
    done
    return 1
}

# @P@_walk sets @P@_cmd (the command reached), @P@_npos (positional arguments
# given to it), @P@_flag (a flag still waiting for its value), @P@_dashdash (1
# after "--") and @P@_start (the 1-based word where a passthrough command line
# begins, or 0).
@P@_walk() {
    @P@_cmd='' @P@_npos=0 @P@_flag='' @P@_dashdash=0 @P@_start=0
    local w i=0
    for w in "$@"; do
        i=$((i + 1))
        if [ -n "$@P@_flag" ]; then
            # bash splits --flag=value at "=" (COMP_WORDBREAKS): the value follows a lone "=".
            [ "$w" = '=' ] || @P@_flag=''
            continue
        fi
        if [ "$@P@_dashdash" = 0 ]; then
            case $w in
            --) @P@_dashdash=1; continue ;;
            --*=*) continue ;;
            -?*)
                if @P@_flagval "$@P@_cmd" "$w"; then @P@_flag=$w; fi
                continue ;;
            esac
        fi
        if [ "$@P@_npos" = 0 ] && @P@_child "$@P@_cmd" "$w"; then
            @P@_cmd=$@P@_r
            continue
        fi
        if @P@_argspec "$@P@_cmd" "$@P@_npos" && [ "$@P@_r" = cmd ]; then
            @P@_start=$i
            return 0
        fi
        @P@_npos=$((@P@_npos + 1))
    done
}

`, "@P@", p))
}

// argSpecs encodes c's positional arguments as the scripts' words, each
// quoted with quote: one spec per argument, the last one suffixed with
// "..." when it takes every remaining word.
func argSpecs(c *command, quote func(string) string) []string {
	var specs []string
	for _, a := range c.args {
		s := a.value.spec()
		if a.repeated {
			s += "..."
		}
		specs = append(specs, quote(s))
	}
	return specs
}
