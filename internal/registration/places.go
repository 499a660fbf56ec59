package registration

// Places says how much room a session or an event has left, in the words
// the agenda and the form use: open, few places left, or full.
type Places struct {
	State string // PlacesOpen, PlacesFew, PlacesFull, or "" for no limit
	Left  int    // places left when State is PlacesFew
}

// States of Places.
const (
	PlacesOpen = "open"
	PlacesFew  = "few"
	PlacesFull = "full"
)

// PlacesLeft returns the state of a capacity (nil: no limit) of which
// taken places are confirmed. "Few" is a tenth of the capacity or less,
// and never fewer than 3 places, so that a workshop of 20 shows "only 3
// left" and a hall of 350 starts saying so at 35.
func PlacesLeft(capacity *int, taken int) Places {
	if capacity == nil {
		return Places{}
	}
	left := max(0, *capacity-taken)
	switch {
	case left == 0:
		return Places{State: PlacesFull}
	case left <= max(3, *capacity/10):
		return Places{State: PlacesFew, Left: left}
	}
	return Places{State: PlacesOpen}
}
