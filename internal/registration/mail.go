package registration

import "time"

// The emails a registration can receive, one kind each. The outbox stores
// the kind; the email's catalogue keys (mail.KIND.subject, …) are named
// after it.
const (
	MailConfirmed  = "confirmed"  // registered with a place: the ticket
	MailWaitlisted = "waitlisted" // on the waiting list
	MailPromoted   = "promoted"   // moved up from a waiting list
	MailPending    = "pending"    // waiting for an organiser's approval
	MailApproved   = "approved"   // approved by an organiser
	MailRejected   = "rejected"   // turned down by an organiser
	MailCancelled  = "cancelled"  // cancelled, by the attendee or an organiser
	MailReminder   = "reminder"   // days before the event: the ticket again
	MailMessage    = "message"    // a message the organisers wrote to a group
)

// RepeatMailInterval is how often registering again with an address that
// is registered already sends that registration's email again: often
// enough for a guest who lost it, too seldom for anyone to flood a
// stranger's inbox by posting their address.
const RepeatMailInterval = 15 * time.Minute

// mailFor is the email that tells an attendee their current status.
var mailFor = map[string]string{
	Confirmed:  MailConfirmed,
	Waitlisted: MailWaitlisted,
	Pending:    MailPending,
	Rejected:   MailRejected,
	Cancelled:  MailCancelled,
}

// MailFor returns the email that tells an attendee a registration's status:
// sent when they register, when they register again with the same address
// (at most once per RepeatMailInterval) and when an organiser resends it.
func MailFor(status string) string { return mailFor[status] }

// MailCarriesTicket reports whether an email of that kind, sent to a
// registration in that status, carries the QR ticket: whenever the place
// is confirmed as it is sent, unless the email announces a cancellation or
// is a message of the organisers.
// Emails are composed from the registration as it is when they are sent,
// so a resend after a change shows the change.
func MailCarriesTicket(kind, status string) bool {
	return status == Confirmed && kind != MailCancelled && kind != MailMessage
}
