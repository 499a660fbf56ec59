// Command foyer runs a business forum: programme, registration, tickets and
// check-in, from one binary.
package main

import (
	"os"
	_ "time/tzdata" // time zones work on machines without /usr/share/zoneinfo

	"github.com/foyer-events/foyer/internal/cli"
)

func main() {
	os.Exit(cli.Main())
}
