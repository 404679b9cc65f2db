package twitterarchive

import (
	"archive/zip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/podimport/podimport/importer"
)

// ErrNotArchive is wrapped by the errors for paths that are not a Twitter
// archive: not a zip (or a truncated one), a folder without data/, a zip
// with an entry that escapes its folder.
var ErrNotArchive = errors.New("not a Twitter archive")

// archive is an opened archive: a zip or an extracted folder, read through
// the same fs.FS.
type archive struct {
	path   string
	isZip  bool
	fsys   fs.FS // rooted at the folder that holds data/
	closer io.Closer

	manifest   *manifest // nil when the archive has none
	generation time.Time // archiveInfo.generationDate, else a data file's modification time
	partial    bool      // archiveInfo.isPartialArchive

	ownerID     string
	ownerHandle string
	ownerName   string

	steps           []step
	accountFile     string   // data/account.js, "" when absent
	profileFile     string   // data/profile.js, "" when absent
	profileMediaDir string   // where the avatar is
	mediaDir        []string // folders of tweet media, in the order they are searched
	known           map[string]bool
}

// stepKind is what a data file holds.
type stepKind int

const (
	stepProfile stepKind = iota // account.js (+ profile.js)
	stepTweets
	stepLikes
	stepFollowers
	stepFollowing
)

func (k stepKind) String() string {
	return [...]string{"profile", "tweets", "likes", "followers", "following"}[k]
}

// wrapper is the key that wraps each item of the kind's files.
func (k stepKind) wrapper() string {
	return [...]string{"account", "tweet", "like", "follower", "following"}[k]
}

// step is one data file to import, in import order.
type step struct {
	kind  stepKind
	file  string // path inside the archive, "data/tweets.js"
	count int    // items the manifest announces, 0 when unknown
}

// manifest is data/manifest.js: window.__THAR_CONFIG = {…}.
type manifest struct {
	UserInfo struct {
		AccountID   string `json:"accountId"`
		UserName    string `json:"userName"`
		DisplayName string `json:"displayName"`
	} `json:"userInfo"`
	ArchiveInfo struct {
		GenerationDate   string `json:"generationDate"`
		IsPartialArchive bool   `json:"isPartialArchive"`
	} `json:"archiveInfo"`
	DataTypes map[string]struct {
		MediaDirectory string `json:"mediaDirectory"`
		Files          []struct {
			FileName   string `json:"fileName"`
			GlobalName string `json:"globalName"`
			Count      string `json:"count"`
		} `json:"files"`
	} `json:"dataTypes"`
}

const manifestFile = "data/manifest.js"

// openArchive opens the zip or folder at p, checks every entry name, reads
// the manifest and the owner's ids, and lists the data files to import.
func openArchive(p string) (a *archive, err error) {
	if strings.TrimSpace(p) == "" {
		return nil, importer.ConfigError(optPath, "missing: give the archive's .zip, or the folder it was extracted to")
	}
	st, err := os.Stat(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, importer.ConfigError(optPath, "%s: no such file or folder", p)
		}
		return nil, importer.ConfigError(optPath, "%s: cannot be read: %v", p, err)
	}
	a = &archive{path: p}
	defer func() {
		if err != nil {
			a.close()
		}
	}()
	if st.IsDir() {
		root, err := os.OpenRoot(p)
		if err != nil {
			return nil, importer.ConfigError(optPath, "%s: cannot be read: %v", p, err)
		}
		// os.Root refuses any path, symbolic links included, that leads
		// out of the folder.
		a.fsys, a.closer = root.FS(), root
	} else {
		f, err := os.Open(p)
		if err != nil {
			return nil, importer.ConfigError(optPath, "%s: cannot be read: %v", p, err)
		}
		a.closer = f
		zr, err := zip.NewReader(f, st.Size())
		if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
			// No end-of-central-directory record: the zip was cut short
			// (an interrupted download) or is not a zip at all.
			return nil, fmt.Errorf("%w: %s is truncated or not a zip file (%v); give the .zip Twitter/X sent, complete, or the folder it was extracted to",
				ErrNotArchive, p, err)
		}
		if err := checkNames(zr.File); err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrNotArchive, p, err)
		}
		a.isZip, a.fsys = true, zr
	}
	if err := a.findRoot(); err != nil {
		return nil, err
	}
	if err := a.readManifest(); err != nil {
		return nil, err
	}
	if err := a.listSteps(); err != nil {
		return nil, err
	}
	if err := a.readOwner(); err != nil {
		return nil, err
	}
	if err := a.findGeneration(); err != nil {
		return nil, err
	}
	return a, nil
}

func (a *archive) close() {
	if a != nil && a.closer != nil {
		_ = a.closer.Close()
		a.closer = nil
	}
}

// checkNames rejects an archive with an entry whose name would lead out of
// the folder it is extracted to: "../x", "/etc/x", "C:\x", "a/../../x".
// zip.NewReader reports such names only under GODEBUG=zipinsecurepath=0,
// so they are checked here, whatever the environment says.
func checkNames(files []*zip.File) error {
	for _, f := range files {
		if escapes(f.Name) {
			return fmt.Errorf("the zip entry %q leads outside the archive's folder; refusing to read the archive", f.Name)
		}
	}
	return nil
}

func escapes(name string) bool {
	n := strings.ReplaceAll(name, `\`, "/")
	if strings.HasPrefix(n, "/") || (len(n) >= 2 && n[1] == ':') {
		return true
	}
	depth := 0
	for _, part := range strings.Split(n, "/") {
		switch part {
		case "", ".":
		case "..":
			if depth--; depth < 0 {
				return true
			}
		default:
			depth++
		}
	}
	return false
}

// findRoot makes fsys the folder that holds data/: the archive's root, or
// the only top-level folder that holds it (a zip made from the extracted
// folder; macOS's "Compress" adds a __MACOSX folder beside it).
func (a *archive) findRoot() error {
	if isDir(a.fsys, "data") {
		return nil
	}
	entries, err := fs.ReadDir(a.fsys, ".")
	if err == nil {
		var dirs []string
		for _, e := range entries {
			if e.IsDir() && isDir(a.fsys, e.Name()+"/data") {
				dirs = append(dirs, e.Name())
			}
		}
		if len(dirs) == 1 {
			sub, err := fs.Sub(a.fsys, dirs[0])
			if err == nil {
				a.fsys = sub
				return nil
			}
		}
	}
	what := "folder"
	if a.isZip {
		what = "zip"
	}
	return fmt.Errorf("%w: the %s %s has no data/ folder; give the .zip Twitter/X sent, or the folder it was extracted to (the one that holds data/ and \"Your archive.html\")",
		ErrNotArchive, what, a.path)
}

func isDir(fsys fs.FS, name string) bool {
	st, err := fs.Stat(fsys, name)
	return err == nil && st.IsDir()
}

func exists(fsys fs.FS, name string) bool {
	st, err := fs.Stat(fsys, name)
	return err == nil && !st.IsDir()
}

func (a *archive) readManifest() error {
	if !exists(a.fsys, manifestFile) {
		return nil
	}
	var m manifest
	if err := readObject(a.fsys, manifestFile, &m); err != nil {
		return err
	}
	a.manifest = &m
	a.partial = m.ArchiveInfo.IsPartialArchive
	return nil
}

// Data types of the manifest, and the file names they have had.
var (
	kindTypes = map[stepKind][]string{
		stepProfile:   {"account"},
		stepTweets:    {"tweets", "tweet"},
		stepLikes:     {"like"},
		stepFollowers: {"follower"},
		stepFollowing: {"following"},
	}
	// data/tweets.js, data/tweets-part1.js, data/tweet.js, …
	fileKinds = []struct {
		re   *regexp.Regexp
		kind stepKind
	}{
		{regexp.MustCompile(`^data/account(?:-part(\d+))?\.js$`), stepProfile},
		{regexp.MustCompile(`^data/tweets?(?:-part(\d+))?\.js$`), stepTweets},
		{regexp.MustCompile(`^data/like(?:-part(\d+))?\.js$`), stepLikes},
		{regexp.MustCompile(`^data/follower(?:-part(\d+))?\.js$`), stepFollowers},
		{regexp.MustCompile(`^data/following(?:-part(\d+))?\.js$`), stepFollowing},
	}
	// An older archive names its only tweets file YTD.tweet.part0 with no
	// extension.
	oldTweetFile = regexp.MustCompile(`^data/YTD\.tweets?\.part(\d+)(?:\.js)?$`)
)

// listSteps finds the data files: from the manifest's dataTypes when it
// lists them, else by scanning data/. A file the manifest lists but the
// archive lacks is an error: the archive is incomplete.
func (a *archive) listSteps() error {
	a.known = map[string]bool{manifestFile: true, "data/profile.js": true}
	var fromManifest []step
	kinds := []stepKind{stepProfile, stepTweets, stepLikes, stepFollowers, stepFollowing}
	if a.manifest != nil {
		for _, k := range kinds {
			for _, typ := range kindTypes[k] {
				dt, ok := a.manifest.DataTypes[typ]
				if !ok {
					continue
				}
				for _, f := range dt.Files {
					name := path.Clean(strings.TrimPrefix(f.FileName, "./"))
					if escapes(name) {
						return fmt.Errorf("%w: %s: %s lists the file %q, which leads outside the archive", ErrNotArchive, a.path, manifestFile, f.FileName)
					}
					if _, err := fs.Stat(a.fsys, name); errors.Is(err, fs.ErrNotExist) {
						return fmt.Errorf("%w: %s: %s lists %s, but the archive has no such file; the archive is incomplete (download it again)",
							ErrNotArchive, a.path, manifestFile, name)
					}
					n, _ := strconv.Atoi(f.Count)
					fromManifest = append(fromManifest, step{kind: k, file: name, count: n})
				}
				if k == stepTweets && dt.MediaDirectory != "" {
					if escapes(dt.MediaDirectory) {
						return fmt.Errorf("%w: %s: %s names the media folder %q, which leads outside the archive", ErrNotArchive, a.path, manifestFile, dt.MediaDirectory)
					}
					a.mediaDir = appendNew(a.mediaDir, path.Clean(dt.MediaDirectory))
				}
			}
		}
	}
	var scanned []step
	entries, err := fs.ReadDir(a.fsys, "data")
	if err != nil {
		return fmt.Errorf("%s: cannot list data/: %w", a.path, err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		name := "data/" + e.Name()
		if oldTweetFile.MatchString(name) {
			scanned = append(scanned, step{kind: stepTweets, file: name})
			continue
		}
		for _, fk := range fileKinds {
			if fk.re.MatchString(name) {
				scanned = append(scanned, step{kind: fk.kind, file: name})
				break
			}
		}
	}
	sortSteps(scanned)
	a.steps = fromManifest
	if len(a.steps) == 0 {
		// No manifest, or one that lists none of the files imported here.
		a.steps = scanned
	} else {
		// A kind the manifest does not mention at all is still imported
		// if its file is there.
		for _, k := range kinds {
			if slices.ContainsFunc(a.steps, func(s step) bool { return s.kind == k }) || a.manifestMentions(k) {
				continue
			}
			for _, s := range scanned {
				if s.kind == k {
					a.steps = append(a.steps, s)
				}
			}
		}
		sortStepsStable(a.steps)
	}
	// One profile step, first: the first account file, or profile.js
	// alone, or the manifest's userInfo alone.
	a.profileFile, a.profileMediaDir = "data/profile.js", "data/profile_media"
	if a.manifest != nil {
		if dt, ok := a.manifest.DataTypes["profile"]; ok {
			if len(dt.Files) > 0 && !escapes(dt.Files[0].FileName) {
				a.profileFile = path.Clean(dt.Files[0].FileName)
			}
			if dt.MediaDirectory != "" && !escapes(dt.MediaDirectory) {
				a.profileMediaDir = path.Clean(dt.MediaDirectory)
			}
		}
	}
	if _, err := fs.Stat(a.fsys, a.profileFile); errors.Is(err, fs.ErrNotExist) {
		a.profileFile = ""
	} else if err != nil {
		return fmt.Errorf("%w: %s: %s: %v", ErrNotArchive, a.path, a.profileFile, err)
	}
	var accounts, rest []step
	for _, s := range a.steps {
		if s.kind == stepProfile {
			accounts = append(accounts, s)
		} else {
			rest = append(rest, s)
		}
	}
	profile := step{kind: stepProfile, file: a.profileFile}
	if len(accounts) > 0 {
		profile = accounts[0] // account.js has one item; later parts, if any, are ignored
		a.accountFile = profile.file
	}
	if profile.file == "" {
		profile.file = "userInfo" // the manifest's userInfo is all there is
	}
	a.steps = append([]step{profile}, rest...)
	for _, s := range accounts {
		a.known[s.file] = true
	}
	for _, s := range a.steps {
		a.known[s.file] = true
	}
	if a.profileFile != "" {
		a.known[a.profileFile] = true
	}
	a.mediaDir = appendNew(a.mediaDir, "data/tweets_media")
	a.mediaDir = appendNew(a.mediaDir, "data/tweet_media")
	// Every data file must be readable, here and now: in a folder, a
	// symbolic link that leads out of it is refused (by os.Root) before
	// anything is imported.
	seen := map[string]bool{}
	steps := a.steps[:0]
	for _, s := range a.steps {
		if seen[s.file] {
			continue // listed twice (as "tweet" and "tweets")
		}
		seen[s.file] = true
		steps = append(steps, s)
		if s.file == "userInfo" {
			continue
		}
		if _, err := fs.Stat(a.fsys, s.file); err != nil {
			return fmt.Errorf("%w: %s: %s: %v", ErrNotArchive, a.path, s.file, err)
		}
	}
	a.steps = steps
	return nil
}

func (a *archive) manifestMentions(k stepKind) bool {
	if a.manifest == nil {
		return false
	}
	for _, typ := range kindTypes[k] {
		if _, ok := a.manifest.DataTypes[typ]; ok {
			return true
		}
	}
	return false
}

// sortSteps orders scanned files by kind, then part number.
func sortSteps(s []step) {
	sort.SliceStable(s, func(i, j int) bool {
		if s[i].kind != s[j].kind {
			return s[i].kind < s[j].kind
		}
		return partOf(s[i].file) < partOf(s[j].file)
	})
}

// sortStepsStable orders by kind only, keeping the manifest's order of parts.
func sortStepsStable(s []step) {
	sort.SliceStable(s, func(i, j int) bool { return s[i].kind < s[j].kind })
}

var partRE = regexp.MustCompile(`part(\d+)`)

func partOf(name string) int {
	m := partRE.FindStringSubmatch(path.Base(name))
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func appendNew(s []string, v string) []string {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}

// accountItem is an item of account.js.
type accountItem struct {
	Email              string `json:"email"`
	CreatedVia         string `json:"createdVia"`
	Username           string `json:"username"`
	AccountID          string `json:"accountId"`
	CreatedAt          string `json:"createdAt"`
	AccountDisplayName string `json:"accountDisplayName"`
}

// readOwner finds the owner's id and handle: the manifest's userInfo, else
// account.js.
func (a *archive) readOwner() error {
	if m := a.manifest; m != nil {
		a.ownerID, a.ownerHandle, a.ownerName = m.UserInfo.AccountID, m.UserInfo.UserName, m.UserInfo.DisplayName
	}
	if (a.ownerID == "" || a.ownerHandle == "") && a.accountFile != "" {
		acc, _, err := readAccount(a.fsys, a.accountFile)
		if err != nil {
			return err
		}
		if acc != nil {
			a.ownerID = cmpOr(a.ownerID, acc.AccountID)
			a.ownerHandle = cmpOr(a.ownerHandle, acc.Username)
			a.ownerName = cmpOr(a.ownerName, acc.AccountDisplayName)
		}
	}
	if a.ownerID == "" {
		return fmt.Errorf("%w: %s names no account: neither data/manifest.js (userInfo.accountId) nor data/account.js has the account id",
			ErrNotArchive, a.path)
	}
	if !isDigits(a.ownerID) {
		return fmt.Errorf("%w: %s: the account id %q is not a number", ErrNotArchive, a.path, a.ownerID)
	}
	return nil
}

// readAccount reads the first item of account.js and its raw JSON.
func readAccount(fsys fs.FS, name string) (*accountItem, json.RawMessage, error) {
	r, err := openJS(fsys, name)
	if err != nil {
		return nil, nil, err
	}
	defer r.Close()
	raw, err := r.Next()
	if err == io.EOF {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	raw = unwrap(raw, "account")
	var acc accountItem
	if err := json.Unmarshal(raw, &acc); err != nil {
		return nil, nil, fmt.Errorf("%s: item 1: %w", name, err)
	}
	return &acc, raw, nil
}

// findGeneration sets the archive's generation date: archiveInfo's
// generationDate, else the modification time of data/manifest.js or of the
// first data file (fixed in a zip, so that importing the same archive twice
// gives the same times).
func (a *archive) findGeneration() error {
	if m := a.manifest; m != nil && m.ArchiveInfo.GenerationDate != "" {
		t, err := time.Parse(time.RFC3339Nano, m.ArchiveInfo.GenerationDate)
		if err != nil {
			return fmt.Errorf("%s: archiveInfo.generationDate %q is not a time: %w", manifestFile, m.ArchiveInfo.GenerationDate, err)
		}
		a.generation = t.UTC()
		return nil
	}
	candidates := []string{manifestFile}
	for _, s := range a.steps {
		candidates = append(candidates, s.file)
	}
	for _, name := range candidates {
		if st, err := fs.Stat(a.fsys, name); err == nil && !st.ModTime().IsZero() {
			a.generation = st.ModTime().UTC().Truncate(time.Second)
			return nil
		}
	}
	return fmt.Errorf("%w: %s: no data file to import (no data/manifest.js, account.js, tweets.js, …)", ErrNotArchive, a.path)
}

// mediaIndex lists the tweet media files by the tweet id their name starts
// with: "<tweet id>-<name>".
func (a *archive) mediaIndex() (map[string][]string, error) {
	idx := map[string][]string{}
	for _, dir := range a.mediaDir {
		entries, err := fs.ReadDir(a.fsys, dir)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s: cannot list %s: %w", a.path, dir, err)
		}
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			if e.Type()&fs.ModeSymlink != 0 {
				// In a folder: a link out of it is refused before
				// anything is imported.
				if _, err := fs.Stat(a.fsys, dir+"/"+e.Name()); err != nil {
					return nil, fmt.Errorf("%w: %s: %s/%s: %v", ErrNotArchive, a.path, dir, e.Name(), err)
				}
			}
			id, _, ok := strings.Cut(e.Name(), "-")
			if !ok || !isDigits(id) {
				continue
			}
			idx[id] = append(idx[id], dir+"/"+e.Name())
		}
	}
	return idx, nil
}

// unknownFiles lists the files of data/ that are not imported (other data
// types: DMs, ads, blocks…). Media folders are not listed.
func (a *archive) unknownFiles() []string {
	var out []string
	entries, err := fs.ReadDir(a.fsys, "data")
	if err != nil {
		return nil
	}
	for _, e := range entries {
		name := "data/" + e.Name()
		if !e.IsDir() && !a.known[name] {
			out = append(out, name)
		}
	}
	return out
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
