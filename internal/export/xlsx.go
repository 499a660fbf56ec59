package export

import (
	"os"
	"path/filepath"
	"strings"
)

// TempPrefix starts the names of the temporary files an XLSX export keeps
// while it writes; they hold personal data, so a folder they may be left in
// after a crash is cleared with RemoveTemp.
const TempPrefix = "excelize-"

// sheetName makes a name Excel accepts for a sheet: at most 31 characters,
// none of : \ / ? * [ ].
func sheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return ' '
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 31 {
		s = string(r[:31])
	}
	if strings.TrimSpace(s) == "" {
		return "Sheet1"
	}
	return s
}

// RemoveTemp removes temporary files that an export interrupted by a crash
// left in dir.
func RemoveTemp(dir string) error {
	names, err := filepath.Glob(filepath.Join(dir, TempPrefix+"*"))
	if err != nil {
		return err
	}
	for _, name := range names {
		if err := os.Remove(name); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	return nil
}
