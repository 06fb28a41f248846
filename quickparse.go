package main

import (
	"context"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// runner is a parsed command, ready to run.
type runner interface {
	Run(ctx context.Context, a *app) error
}

// quickParse parses a hot command's line (see hotCommands) without kong,
// when it is one of the plain lines tools run awsx with: long flags with
// their value after = or as the next word, bool flags alone, positional
// arguments, exec's command. Building kong's model interpolates every help
// text and costs about 0.5 ms even for one command's grammar, as much as
// a warm export's own work; this reads the same struct tags in a few
// microseconds.
//
// Anything else it declines, and kong parses the line as before: help,
// short flags, flags it does not know or sees twice, a value that looks
// like a flag or that kong would refuse, and any struct tag it does not
// understand. TestQuickParseMatchesKong and FuzzQuickParse check that
// every line it accepts is one kong parses to the same values.
func quickParse(args []string, lookupEnv func(string) (string, bool)) (runner, *Globals, bool) {
	for _, arg := range args {
		if !utf8.ValidString(arg) {
			return nil, nil, false // kong replaces what is not UTF-8
		}
	}
	globals := &Globals{}
	gflags, gargs, ok := fieldSpecs(reflect.ValueOf(globals).Elem(), lookupEnv)
	if !ok || len(gargs) > 0 || hasKongHook(reflect.TypeOf(*globals)) || hasKongHook(reflect.TypeOf(CLI{})) {
		return nil, nil, false
	}
	i := 0
	for ; i < len(args) && strings.HasPrefix(args[i], "-"); i++ {
		next, ok := parseFlag(args, i, gflags)
		if !ok {
			return nil, nil, false
		}
		i = next
	}
	if i == len(args) {
		return nil, nil, false
	}
	cmd, ok := hotCommand(args[i])
	if !ok {
		return nil, nil, false
	}
	flags, positionals, ok := fieldSpecs(cmd.Elem(), lookupEnv)
	if !ok {
		return nil, nil, false
	}
	flags = append(flags, gflags...)
	pos := 0
	for i++; i < len(args); i++ {
		arg := args[i]
		if pos < len(positionals) && positionals[pos].passthrough && (arg == "--" || !strings.HasPrefix(arg, "-")) {
			// kong keeps the "--" that starts a passthrough argument.
			positionals[pos].v.Set(reflect.ValueOf(slices.Clone(args[i:])))
			pos++
			break
		}
		switch {
		case strings.HasPrefix(arg, "--") && arg != "--":
			next, ok := parseFlag(args, i, flags)
			if !ok {
				return nil, nil, false
			}
			i = next
		case strings.HasPrefix(arg, "-"):
			return nil, nil, false
		case pos < len(positionals):
			if !positionals[pos].set(arg) {
				return nil, nil, false
			}
			pos++
		default:
			return nil, nil, false
		}
	}
	for ; pos < len(positionals); pos++ {
		if !positionals[pos].optional {
			return nil, nil, false
		}
	}
	for _, f := range append(flags, positionals...) {
		if !f.valid() {
			return nil, nil, false
		}
	}
	r, ok := cmd.Interface().(runner)
	return r, globals, ok
}

// hotCommand makes the command struct that name selects, when it is a hot
// command.
func hotCommand(name string) (reflect.Value, bool) {
	t := reflect.TypeOf(CLI{})
	for i := range t.NumField() {
		f := t.Field(i)
		keys, ok := tagKeys(f.Tag)
		if !ok {
			return reflect.Value{}, false
		}
		if !slices.Contains(keys, "cmd") || commandName(f) != name {
			continue
		}
		if _, hot := hotCommands[name]; !hot || slices.Contains(keys, "aliases") {
			return reflect.Value{}, false
		}
		if hasKongHook(f.Type) {
			return reflect.Value{}, false
		}
		return reflect.New(f.Type), true
	}
	return reflect.Value{}, false
}

// kongHooks are the methods kong calls on a grammar's structs as it parses
// and runs; a command with one, or globals with one, are left to kong.
var kongHooks = []string{"BeforeReset", "BeforeResolve", "BeforeApply", "AfterApply", "AfterRun", "Validate"}

func hasKongHook(t reflect.Type) bool {
	for _, hook := range kongHooks {
		if _, has := reflect.PointerTo(t).MethodByName(hook); has {
			return true
		}
	}
	return false
}

func commandName(f reflect.StructField) string {
	if name, ok := f.Tag.Lookup("name"); ok {
		return name
	}
	return strings.ToLower(f.Name)
}

// field is one flag or positional argument of a command.
type field struct {
	name        string // a flag's name; empty for a positional
	v           reflect.Value
	enum        []string
	optional    bool
	passthrough bool
	given       bool
}

// fieldTags are the struct tags quickParse understands; a field with any
// other makes it decline the command.
var fieldTags = []string{"arg", "optional", "passthrough", "name", "enum", "default", "env", "help", "placeholder", "predictor", "hidden"}

var durationType = reflect.TypeOf(time.Duration(0))

// fieldSpecs reads the flags and positionals of the struct v and sets each
// to what kong starts it with: the value of its environment variable when
// that is set, else its default.
func fieldSpecs(v reflect.Value, lookupEnv func(string) (string, bool)) (flags, positionals []*field, ok bool) {
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		keys, ok := tagKeys(sf.Tag)
		if !ok || !sf.IsExported() || sf.Anonymous {
			return nil, nil, false
		}
		for _, k := range keys {
			if !slices.Contains(fieldTags, k) {
				return nil, nil, false
			}
			if k != "help" && strings.Contains(sf.Tag.Get(k), "$") {
				return nil, nil, false // kong would interpolate it
			}
		}
		f := &field{v: v.Field(i)}
		_, f.optional = sf.Tag.Lookup("optional")
		_, f.passthrough = sf.Tag.Lookup("passthrough")
		if enum, ok := sf.Tag.Lookup("enum"); ok {
			for _, e := range strings.Split(enum, ",") {
				f.enum = append(f.enum, strings.TrimSpace(e))
			}
		}
		// Exactly these types: kong maps a named type by its own methods.
		switch sf.Type {
		case reflect.TypeOf([]string(nil)):
			if !f.passthrough {
				return nil, nil, false
			}
		case reflect.TypeOf(""), reflect.TypeOf(false), durationType:
			if f.passthrough {
				return nil, nil, false
			}
		default:
			return nil, nil, false
		}
		if _, isArg := sf.Tag.Lookup("arg"); isArg {
			positionals = append(positionals, f)
		} else {
			f.name = sf.Tag.Get("name")
			if f.name == "" {
				// kong splits a field name at its capitals; one word is all
				// this needs to know.
				if strings.ToLower(sf.Name[1:]) != sf.Name[1:] {
					return nil, nil, false
				}
				f.name = strings.ToLower(sf.Name)
			}
			flags = append(flags, f)
		}
		start, hasStart := sf.Tag.Lookup("default")
		if env, ok := sf.Tag.Lookup("env"); ok {
			if strings.ContainsAny(env, ", ") {
				return nil, nil, false
			}
			if val, set := lookupEnv(env); set {
				if !utf8.ValidString(val) {
					return nil, nil, false // kong replaces what is not UTF-8
				}
				start, hasStart = val, true
			}
		}
		if hasStart && !f.set(start) {
			return nil, nil, false
		}
		f.given = false
	}
	return flags, positionals, true
}

// set parses s into the field as kong's mapper for its type does.
func (f *field) set(s string) bool {
	switch {
	case f.v.Type() == durationType:
		d, err := time.ParseDuration(s)
		if err != nil {
			return false
		}
		f.v.SetInt(int64(d))
	case f.v.Kind() == reflect.String:
		f.v.SetString(s)
	default:
		return false
	}
	f.given = true
	return true
}

// valid is kong's enum check, which it makes for every value.
func (f *field) valid() bool {
	return f.enum == nil || slices.Contains(f.enum, f.v.String())
}

// parseFlag parses the flag at args[i] and returns the index of the last
// word it used.
func parseFlag(args []string, i int, flags []*field) (int, bool) {
	if !strings.HasPrefix(args[i], "--") {
		return 0, false
	}
	name, val, hasVal := strings.Cut(args[i][2:], "=")
	var f *field
	for _, c := range flags {
		if c.name == name {
			f = c
		}
	}
	if f == nil || f.given {
		return 0, false
	}
	if f.v.Kind() == reflect.Bool {
		if hasVal {
			return 0, false
		}
		f.v.SetBool(true)
		f.given = true
		return i, true
	}
	if !hasVal {
		i++
		if i == len(args) || strings.HasPrefix(args[i], "-") {
			return 0, false
		}
		val = args[i]
	}
	return i, f.set(val)
}

// tagKeys lists the keys of a struct tag in the key:"value" form.
func tagKeys(tag reflect.StructTag) ([]string, bool) {
	var keys []string
	s := strings.TrimLeft(string(tag), " ")
	for s != "" {
		key, rest, ok := strings.Cut(s, ":")
		if !ok || key == "" || strings.ContainsAny(key, " \"") {
			return nil, false
		}
		quoted, err := strconv.QuotedPrefix(rest)
		if err != nil {
			return nil, false
		}
		keys = append(keys, key)
		s = strings.TrimLeft(rest[len(quoted):], " ")
	}
	return keys, true
}
