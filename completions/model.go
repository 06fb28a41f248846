package completions

import (
	"strings"

	"github.com/alecthomas/kong"
)

// valueKind says how a flag's value or a positional argument is completed.
type valueKind int

const (
	valueNone    valueKind = iota // free text (a duration, a URL): nothing to offer
	valueEnum                     // one of a fixed list, from the enum:"" tag
	valueProfile                  // a profile name, asked of "BIN __profiles" at completion time
	valueFile                     // a path
	valueDir                      // a directory
	valueCommand                  // a passthrough command line: complete it as that command's own
)

// value is the completion of one flag value or positional argument.
type value struct {
	kind valueKind
	enum []string
}

// spec encodes v in the small word the generated scripts switch on:
// none, profile, file, dir, cmd or enum:A,B,C. Enum values never hold
// commas, because kong itself splits the enum tag on them.
func (v value) spec() string {
	switch v.kind {
	case valueEnum:
		return "enum:" + strings.Join(v.enum, ",")
	case valueProfile:
		return "profile"
	case valueFile:
		return "file"
	case valueDir:
		return "dir"
	case valueCommand:
		return "cmd"
	}
	return "none"
}

// flag is one visible flag of a command.
type flag struct {
	long  []string // --name, its aliases and its negation, each with the dashes
	short rune
	help  string
	value *value // nil for flags that take no value (booleans, counters)
}

// names lists every spelling of f on a command line.
func (f flag) names() []string {
	names := append([]string(nil), f.long...)
	if f.short != 0 {
		names = append(names, "-"+string(f.short))
	}
	return names
}

// arg is one positional argument of a command.
type arg struct {
	name     string
	value    value
	repeated bool // a slice: it takes every remaining word
}

// command is a node of the CLI as the scripts see it. Its id is the path of
// names from the root joined by "/" ("" for the application itself,
// "config/generate" for a nested one); the scripts carry it while walking
// the words on the command line.
type command struct {
	id       string
	name     string
	aliases  []string
	help     string
	flags    []flag // its own flags; see allFlags for the inherited ones
	args     []arg
	children []*command
	parent   *command
}

// allFlags returns the flags valid after c: kong accepts a parent's flags
// after a subcommand too, so the root's --debug completes everywhere.
func (c *command) allFlags() []flag {
	var out []flag
	for n := c; n != nil; n = n.parent {
		out = append(out, n.flags...)
	}
	return out
}

// walk visits c and every command below it, parents first.
func (c *command) walk(fn func(*command)) {
	fn(c)
	for _, child := range c.children {
		child.walk(fn)
	}
}

// newModel converts kong's model into the part that completion needs,
// leaving out hidden commands and flags.
func newModel(app *kong.Application, values map[string][]string) *command {
	return newCommand(app.Node, nil, values)
}

func newCommand(n *kong.Node, parent *command, values map[string][]string) *command {
	c := &command{name: n.Name, aliases: n.Aliases, help: firstLine(n.Help), parent: parent}
	if parent != nil {
		c.id = n.Name
		if parent.id != "" {
			c.id = parent.id + "/" + n.Name
		}
	}
	for _, f := range n.Flags {
		if f.Hidden {
			continue
		}
		c.flags = append(c.flags, newFlag(f, values))
	}
	for _, p := range n.Positional {
		c.args = append(c.args, arg{name: p.Name, value: valueOf(p, values), repeated: p.IsCumulative()})
	}
	for _, child := range n.Children {
		// Branching positional arguments (kong's ArgumentNode) are not used by
		// awsx; offering their placeholder names as words would be wrong.
		if child.Hidden || child.Type != kong.CommandNode {
			continue
		}
		c.children = append(c.children, newCommand(child, c, values))
	}
	return c
}

func newFlag(f *kong.Flag, values map[string][]string) flag {
	out := flag{long: []string{"--" + f.Name}, short: f.Short, help: firstLine(f.Help)}
	for _, alias := range f.Aliases {
		out.long = append(out.long, "--"+alias)
	}
	switch neg := f.Tag.Negatable; neg {
	case "":
	case "_":
		out.long = append(out.long, "--no-"+f.Name)
	default:
		out.long = append(out.long, "--"+neg)
	}
	if !f.IsBool() && !f.IsCounter() {
		v := valueOf(f.Value, values)
		out.value = &v
	}
	return out
}

// valueOf decides how v completes. An explicit completion:"NAME" or
// predictor:"NAME" tag wins (profile, file, dir, none, or a key of values);
// otherwise a passthrough argument is a command line, an enum tag gives its
// values, a name that is a key of values gives those, and the name says the
// rest: "profile" and "*-profile" (--source-profile) are profiles, so that
// no command has to remember to ask for them.
func valueOf(v *kong.Value, values map[string][]string) value {
	tag := v.Tag.Get("completion")
	if tag == "" {
		tag = v.Tag.Get("predictor")
	}
	switch tag {
	case "profile":
		return value{kind: valueProfile}
	case "file":
		return value{kind: valueFile}
	case "dir":
		return value{kind: valueDir}
	case "none":
		return value{kind: valueNone}
	}
	if list, ok := values[tag]; ok && tag != "" {
		return value{kind: valueEnum, enum: list}
	}
	if v.Flag == nil && (v.Passthrough || v.PassthroughMode != kong.PassThroughModeNone) {
		return value{kind: valueCommand}
	}
	if v.Enum != "" {
		var enum []string
		for _, e := range v.EnumSlice() {
			// An empty member only lets the flag be unset; it is nothing to type.
			if e != "" {
				enum = append(enum, e)
			}
		}
		return value{kind: valueEnum, enum: enum}
	}
	name := strings.ToLower(v.Name)
	if list, ok := values[name]; ok {
		return value{kind: valueEnum, enum: list}
	}
	switch {
	case name == "profile" || strings.HasSuffix(name, "-profile") || strings.HasSuffix(name, "_profile"):
		return value{kind: valueProfile}
	case v.Tag.Type == "existingdir" || name == "dir" || strings.HasSuffix(name, "-dir"):
		return value{kind: valueDir}
	case v.Tag.Type == "path" || v.Tag.Type == "existingfile" || v.Tag.Type == "filecontent" ||
		name == "file" || strings.HasSuffix(name, "-file"):
		return value{kind: valueFile}
	}
	return value{kind: valueNone}
}

// firstLine keeps help to one line: every shell shows descriptions in a
// one-line column.
func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}
