// Package foyer holds the files that are built into the binary: the database
// schema, the page and email templates, and the static assets.
package foyer

import "embed"

// Schema is schema.sql, applied to an empty database.
//
//go:embed schema.sql
var Schema string

// Views holds the html/template files under views/.
//
//go:embed views
var Views embed.FS

// Assets holds the static files under assets/, served under content-hashed URLs.
//
//go:embed assets
var Assets embed.FS
