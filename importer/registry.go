package importer

import (
	"fmt"
	"sort"
	"sync"
)

var registry = struct {
	sync.RWMutex
	plugins map[string]Plugin
}{plugins: map[string]Plugin{}}

// Register makes p available by its name. Plugins call it from an init
// function. It panics if p is nil, has no name, or its name is taken.
func Register(p Plugin) {
	if p == nil {
		panic("importer: Register of a nil plugin")
	}
	name := p.Name()
	if name == "" {
		panic("importer: Register of a plugin without a name")
	}
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.plugins[name]; dup {
		panic(fmt.Sprintf("importer: plugin %q registered twice", name))
	}
	registry.plugins[name] = p
}

// Lookup returns the plugin registered under name.
func Lookup(name string) (Plugin, bool) {
	registry.RLock()
	defer registry.RUnlock()
	p, ok := registry.plugins[name]
	return p, ok
}

// Plugins returns every registered plugin, sorted by name.
func Plugins() []Plugin {
	registry.RLock()
	defer registry.RUnlock()
	ps := make([]Plugin, 0, len(registry.plugins))
	for _, p := range registry.plugins {
		ps = append(ps, p)
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].Name() < ps[j].Name() })
	return ps
}
