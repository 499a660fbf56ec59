package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// versionOneDatabase makes a database at path with the first released
// schema, recorded as version 1, and the statements given (its rows), as
// foyer's first release left it.
func versionOneDatabase(t *testing.T, path string, stmts ...string) {
	t.Helper()
	v1, err := os.ReadFile(filepath.Join("testdata", "schema-v1.sql"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stmts = append([]string{string(v1), "INSERT INTO schema_version (version, applied_at) VALUES (1, '2027-01-01T00:00:00.000000Z')"}, stmts...)
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
}

// TestMigrationsMatchSchema: a database made with the first released
// schema and brought up to date by the migrations has the same tables,
// columns, constraints, indexes and triggers as one made from schema.sql.
// A schema change made in schema.sql alone, or in a migration alone, fails
// here.
func TestMigrationsMatchSchema(t *testing.T) {
	ctx := context.Background()
	old := filepath.Join(t.TempDir(), "old.db")
	versionOneDatabase(t, old)

	upgraded, err := OpenFile(ctx, old)
	if err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	defer upgraded.Close()
	fresh, err := OpenFile(ctx, filepath.Join(t.TempDir(), "new.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()

	var version int
	if err := upgraded.read.QueryRow("SELECT max(version) FROM schema_version").Scan(&version); err != nil || version != latestVersion() {
		t.Errorf("upgraded database at version %d (%v), want %d", version, err, latestVersion())
	}
	got, want := describeSchema(t, upgraded.read), describeSchema(t, fresh.read)
	for _, name := range slices.Sorted(keys(got, want)) {
		if got[name] != want[name] {
			t.Errorf("%s\n upgraded: %s\n schema.sql: %s", name, orNone(got[name]), orNone(want[name]))
		}
	}
}

// TestDescribeSchemaSeesChanges makes sure the comparison above can fail:
// each kind of change shows in the description.
func TestDescribeSchemaSeesChanges(t *testing.T) {
	changes := []string{
		"ALTER TABLE users ADD COLUMN locale TEXT NOT NULL DEFAULT 'en'",
		"CREATE INDEX users_name ON users (name)",
		"DROP TRIGGER seats_confirmed_delete",
		"CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL CHECK (length(body) < 100))",
		"ALTER TABLE outbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'mail' CHECK (channel IN ('mail'))",
	}
	base, err := OpenFile(context.Background(), filepath.Join(t.TempDir(), "base.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer base.Close()
	before := describeSchema(t, base.read)
	for _, change := range changes {
		s, err := OpenFile(context.Background(), filepath.Join(t.TempDir(), "changed.db"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.write.Exec(change); err != nil {
			t.Fatal(err)
		}
		after := describeSchema(t, s.read)
		s.Close()
		same := true
		for name := range keys(before, after) {
			same = same && before[name] == after[name]
		}
		if same {
			t.Errorf("%s: no difference seen", change)
		}
	}
}

func keys(maps ...map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		seen := map[string]bool{}
		for _, m := range maps {
			for k := range m {
				if !seen[k] {
					seen[k] = true
					if !yield(k) {
						return
					}
				}
			}
		}
	}
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

var (
	spaces = regexp.MustCompile(`\s+`)
	checks = regexp.MustCompile(`(?i)CHECK\s*\(`)
)

// describeSchema describes every table, index and trigger in a form that
// does not depend on how it was created: a column added by ALTER TABLE
// reads the same as one written in CREATE TABLE.
func describeSchema(t *testing.T, db *sql.DB) map[string]string {
	t.Helper()
	out := map[string]string{}
	rows, err := db.Query("SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	type object struct{ kind, name, table, sql string }
	var objects []object
	for rows.Next() {
		var o object
		if err := rows.Scan(&o.kind, &o.name, &o.table, &o.sql); err != nil {
			t.Fatal(err)
		}
		objects = append(objects, o)
	}
	rows.Close()
	for _, o := range objects {
		var d []string
		switch o.kind {
		case "table":
			d = append(d, pragmaRows(t, db, "table_xinfo", o.name, func(r []string) string {
				// cid, name, type, notnull, dflt_value, pk, hidden: the
				// position (cid) left out.
				return strings.Join(r[1:], " ")
			})...)
			d = append(d, pragmaRows(t, db, "foreign_key_list", o.name, func(r []string) string {
				return "fk " + strings.Join(r[2:], " ") // without id and seq
			})...)
			d = append(d, checkClauses(o.sql)...)
		case "index":
			d = append(d, "on "+o.table)
			d = append(d, pragmaRows(t, db, "index_xinfo", o.name, func(r []string) string { return strings.Join(r, " ") })...)
			d = append(d, normalise(o.sql))
		default: // trigger, view
			d = append(d, normalise(o.sql))
		}
		slices.Sort(d)
		out[o.kind+" "+o.name] = strings.Join(d, "; ")
	}
	return out
}

func pragmaRows(t *testing.T, db *sql.DB, pragma, name string, line func([]string) string) []string {
	t.Helper()
	rows, err := db.Query(fmt.Sprintf("SELECT * FROM pragma_%s(?)", pragma), name)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		r := make([]string, len(cols))
		for i, v := range vals {
			r[i] = v.String
			if !v.Valid {
				r[i] = "NULL"
			}
		}
		out = append(out, line(r))
	}
	return out
}

// checkClauses returns the CHECK constraints of a CREATE TABLE statement,
// each up to its closing parenthesis.
func checkClauses(create string) []string {
	var out []string
	for _, loc := range checks.FindAllStringIndex(create, -1) {
		depth, end := 1, loc[1]
		for ; end < len(create) && depth > 0; end++ {
			switch create[end] {
			case '(':
				depth++
			case ')':
				depth--
			}
		}
		out = append(out, "check "+normalise(create[loc[1]:end-1]))
	}
	return out
}

func normalise(s string) string {
	s = spaces.ReplaceAllString(strings.TrimSpace(s), " ")
	s = strings.ReplaceAll(s, "( ", "(")
	return strings.ReplaceAll(s, " )", ")")
}
