package twitterarchive

import (
	"context"
	"strings"

	"github.com/podimport/podimport/importer"
)

// Option names: CLI flags, keys of PODIMPORT_OPTIONS.
const (
	optPath    = "path"
	optNoMedia = "no-media"
)

// Name is the plugin's name, and the source recorded on the nodes it
// supplies.
const Name = source

func init() { importer.Register(Plugin{}) }

// Plugin is the Twitter/X archive importer.
type Plugin struct{}

func (Plugin) Name() string { return Name }

// Offline: an archive is read from disk, with no rate limits to wait for.
func (Plugin) Offline() {}

func (Plugin) Description() string {
	return "Twitter/X archive (the .zip you download from X, or its extracted folder): the whole history of tweets, likes, followers, followings, media"
}

func (Plugin) Options() []importer.Option {
	return []importer.Option{
		{Name: optPath, Usage: "the archive: the .zip Twitter/X sent, or the folder it was extracted to", Arg: true, Required: true},
		{Name: optNoMedia, Usage: "do not copy photos, videos and the avatar into the store", Type: importer.Bool},
	}
}

// New checks the options and opens the archive enough to know whose it is
// (data/manifest.js or data/account.js), that every data file it lists is
// there, and that no entry of the zip leads outside its folder.
func (Plugin) New(v importer.Values) (importer.Job, error) {
	noMedia, err := v.Bool(optNoMedia)
	if err != nil {
		return nil, err
	}
	a, err := openArchive(v.String(optPath))
	if err != nil {
		return nil, err
	}
	defer a.close()
	account := strings.ToLower(a.ownerHandle)
	if account == "" {
		account = a.ownerID
	}
	return &job{path: a.path, noMedia: noMedia, account: account}, nil
}

// job is the import of one archive.
type job struct {
	path    string
	noMedia bool
	account string
}

// Account is the archive owner's lowercased handle, as for the API
// importer; the account id when the archive names no handle.
func (j *job) Account() string { return j.account }

func (j *job) Run(ctx context.Context, h importer.Host) error {
	a, err := openArchive(j.path)
	if err != nil {
		return err
	}
	defer a.close()
	r := &run{h: h, a: a, noMedia: j.noMedia}
	return r.all(ctx)
}
