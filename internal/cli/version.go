package cli

import "runtime/debug"

// Version is set at build time with -ldflags "-X .../cli.Version=v1.2.3".
var Version = "dev"

func versionText() string {
	v := "foyer " + Version
	if info, ok := debug.ReadBuildInfo(); ok {
		v += " (" + info.GoVersion
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" {
				v += ", " + s.Value[:min(12, len(s.Value))]
			}
		}
		v += ")"
	}
	return v
}
