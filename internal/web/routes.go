package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"github.com/foyer-events/foyer/internal/store"
)

// maxBody bounds every request body; a programme import is the largest
// legitimate one.
const maxBody = "2M"

// uploadLimit bounds a form that carries an image (media.MaxBytes and the
// rest of the form).
const uploadLimit = "9M"

// isUpload tells the forms that may carry images: multipart posts to the
// organiser interface, which check the role before reading the body.
func isUpload(c echo.Context) bool {
	r := c.Request()
	return r.Method == http.MethodPost && (strings.HasPrefix(r.URL.Path, "/admin/events/") || r.URL.Path == "/admin/brand") &&
		strings.HasPrefix(r.Header.Get(echo.HeaderContentType), "multipart/form-data")
}

// routes is the one place that lists every URL, its middleware and its role.
func (s *Server) routes() {
	e := s.echo
	// First of all, so that every answer has a request id, a log line and
	// its place in the metrics, redirects and errors included.
	e.Pre(s.observe)
	e.Pre(middleware.RemoveTrailingSlashWithConfig(middleware.TrailingSlashConfig{RedirectCode: http.StatusMovedPermanently}))
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true}))
	// Uploads of images (a phone's photo of a speaker) may be larger; their
	// routes set their own limit, and only for signed-in organisers.
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: maxBody, Skipper: isUpload}))
	e.Use(s.securityHeaders)
	e.Use(s.negotiateLanguage)
	e.Use(s.authenticate)

	// Every state-changing request made with a browser's credentials
	// carries the CSRF token of its session; see csrf.go.
	e.Use(s.csrf())

	limit := s.rateLimit(5, 20) // per client: 5 a second, bursts of 20
	loginLimit := s.rateLimit(0.5, 10)

	e.GET("/healthz", s.health)
	e.GET("/metrics", s.metrics) // loopback or FOYER_METRICS_TOKEN, see mayScrape
	e.GET("/static/:hash/*", s.serveAsset)
	e.GET("/", s.home)

	// Public pages.
	e.GET("/events/:slug", s.eventPage)
	e.GET("/events/:slug/speakers", s.speakersPage)
	e.GET("/events/:slug/agenda-grid.css", s.serveAgendaStyle)
	e.GET("/events/:slug/schedule.json", s.scheduleJSON)
	e.GET("/events/:slug/schedule.xml", s.scheduleXML)
	e.GET("/events/:slug/schedule.ics", s.scheduleICS)
	e.GET("/events/:slug/register", s.showRegister)
	e.POST("/events/:slug/register", s.submitRegister, limit)
	e.GET("/events/:slug/registered", s.showRegistered)
	e.GET("/events/:slug/event.ics", s.eventICS)

	// The organiser's brand and legal pages, and the images foyer stores.
	e.GET("/events/:slug/brand.css", s.serveBrandStyle)
	e.GET("/events/:slug/imprint", s.showLegal("imprint"))
	e.GET("/events/:slug/privacy", s.showLegal("privacy"))
	e.GET("/brand.css", s.serveBrandStyle)
	e.GET("/imprint", s.showLegal("imprint"))
	e.GET("/privacy", s.showLegal("privacy"))
	e.GET("/media/:name", s.serveMedia)

	// The attendee's private manage link.
	e.GET("/m/:token", s.showManage)
	e.POST("/m/:token/sessions", s.manageSessions, limit)
	e.POST("/m/:token/details", s.manageDetails, limit)
	e.POST("/m/:token/cancel", s.manageCancel, limit)
	e.GET("/m/:token/ticket", s.manageTicket)
	e.GET("/m/:token/ticket.png", s.manageQR)
	e.GET("/m/:token/event.ics", s.manageICS)

	// Accounts.
	e.GET("/login", s.showLogin)
	e.POST("/login", s.login, loginLimit)
	e.POST("/logout", s.logout)
	// An invitation to the team: the first password, then signed in.
	e.GET("/invite/:token", s.showInvitation)
	e.POST("/invite/:token", s.acceptInvitation, loginLimit)

	// The organiser interface: organisers and admins; staff get 403, and
	// a browser that is not signed in goes to the login page.
	organiser := requireRole(store.RoleOrganiser)
	e.GET("/admin", s.adminHome, organiser)
	ev := e.Group("/admin/events/:slug", organiser)
	ev.GET("", s.showDashboard)
	ev.GET("/registrations", s.showRegistrations)
	ev.GET("/registrations/new", s.newRegistrationForm)
	ev.POST("/registrations/new", s.addRegistration)
	ev.POST("/registrations/bulk", s.bulkRegistrations)
	ev.GET("/registrations/:id", s.showRegistration)
	ev.GET("/registrations/:id/edit", s.editRegistrationForm)
	ev.POST("/registrations/:id/edit", s.editRegistration)
	ev.GET("/registrations/:id/qr.png", s.registrationQR)
	for _, action := range registrationActions {
		ev.POST("/registrations/:id/"+action, s.registrationActionPage(action))
	}
	ev.GET("/outbox", s.showOutbox)
	ev.POST("/outbox/retry-failed", s.retryFailedMail)
	ev.POST("/outbox/:id/retry", s.retryMail)
	ev.GET("/exports", s.showExports)
	s.exportRoutes(ev, "")
	ev.GET("/print", s.showPrint)
	ev.GET("/badges", s.showBadges)
	ev.GET("/checkin-progress", s.showCheckInProgress)
	ev.POST("/purge", s.adminPurge)
	ev.POST("/registrations/:id/anonymise", s.adminAnonymise)
	// The programme editor, the organiser's brand, messages, the audit log.
	upload := middleware.BodyLimit(uploadLimit)
	e.GET("/admin/events/new", s.showNewEvent, organiser)
	e.POST("/admin/events/new", s.addEvent, organiser)
	ev.GET("/programme", s.showSettings)
	ev.POST("/programme", s.saveSettings)
	ev.POST("/status", s.setStatus)
	ev.GET("/brand", s.showBrand)
	ev.POST("/brand", s.saveBrand, upload)
	for _, kind := range []string{"rooms", "speakers", "sessions", "questions"} {
		ev.GET("/"+kind, s.showParts(kind))
		ev.POST("/"+kind, s.saveParts(kind), upload)
	}
	ev.GET("/agenda-grid.css", s.editorGridStyle)
	ev.GET("/import", s.showImport)
	ev.POST("/import", s.importProgramme, upload)
	ev.GET("/programme.json", s.exportProgramme)
	ev.GET("/messages", s.showMessages)
	ev.POST("/messages", s.composeMessage)
	ev.GET("/audit", s.showAudit)
	e.GET("/admin/audit", s.showAudit, organiser)
	// The installation's brand, the team and its API tokens: admins alone.
	e.GET("/admin/brand", s.showBrandDefaults, requireRole(store.RoleAdmin))
	e.POST("/admin/brand", s.saveBrandDefaults, requireRole(store.RoleAdmin), middleware.BodyLimit(uploadLimit))
	team := e.Group("/admin/team", requireRole(store.RoleAdmin))
	team.GET("", s.showTeam)
	team.POST("", s.addMember)
	team.GET("/:id", s.showMember)
	team.POST("/:id", s.updateMember)
	team.POST("/:id/password", s.resetPassword)
	team.POST("/:id/invite", s.reinviteMember)
	team.POST("/:id/tokens", s.createMemberToken)
	team.POST("/:id/tokens/:token/revoke", s.revokeMemberToken)

	// Check-in at the door, for staff and up. A door's devices may share
	// one address (the venue's network), so its limit is generous.
	staff := requireRole(store.RoleStaff)
	scanLimit := s.rateLimit(50, 200)
	e.GET("/checkin/sw.js", s.checkinWorker)
	e.GET("/checkin/:slug", s.checkinPage, staff)

	// The API.
	api := e.Group("/api/v1", requireJSON)
	api.GET("/events", s.listEvents)
	api.GET("/events/:slug", s.getEvent)
	api.POST("/events", s.createEvent, organiser)
	api.PUT("/events/:slug", s.updateEvent, organiser)
	api.POST("/events/:slug/registrations", s.apiRegister, limit)
	api.GET("/events/:slug/registrations", s.listRegistrations, organiser)
	s.exportRoutes(api, "/events/:slug", organiser)
	api.GET("/registrations/:id", s.getRegistration, organiser)
	for _, action := range []string{"cancel", "approve", "reject", "resend"} {
		api.POST("/registrations/:id/"+action, s.registrationAction(action), organiser)
	}
	api.GET("/registrations/:id/data", s.registrationData, organiser)
	api.POST("/registrations/:id/anonymise", s.anonymiseRegistration, organiser)
	api.GET("/events/:slug/privacy", s.eventPrivacy, organiser)
	api.POST("/events/:slug/purge", s.purgeEvent, organiser)
	api.GET("/events/:slug/messages", s.listMessages, organiser)
	api.POST("/events/:slug/messages", s.sendMessage, organiser)
	api.POST("/events/:slug/messages/preview", s.previewMessage, organiser)
	admin := requireRole(store.RoleAdmin)
	api.GET("/settings/organiser", s.getOrganiserDefaults, organiser)
	api.GET("/audit", s.getAudit, organiser)
	api.PUT("/settings/organiser", s.putOrganiserDefaults, admin)
	api.POST("/checkin", s.scan, staff, scanLimit)
	api.POST("/checkin/undo", s.undo, staff, scanLimit)
	api.GET("/events/:slug/checkin/stats", s.checkinStats, staff)
	api.GET("/events/:slug/checkin/roster", s.roster, staff)
	api.GET("/events/:slug/checkin/search", s.searchGuests, staff, scanLimit)
	api.POST("/events/:slug/checkin/sync", s.syncScans, staff, scanLimit)
	api.POST("/events/:slug/checkin/walk-ins", s.walkIn, staff, scanLimit)
}

// exportRoutes adds an event's downloads under prefix: attendees.csv,
// attendees.xlsx, speakers.csv and speakers.xlsx. The organiser pages
// and the API serve the same files.
func (s *Server) exportRoutes(g *echo.Group, prefix string, m ...echo.MiddlewareFunc) {
	for _, format := range []string{"csv", "xlsx"} {
		g.GET(prefix+"/attendees."+format, s.exportAttendees(format), m...)
		g.GET(prefix+"/speakers."+format, s.exportSpeakers(format), m...)
	}
}

// rateLimit limits requests per client address, unless FOYER_RATE_LIMIT=off.
func (s *Server) rateLimit(perSecond float64, burst int) echo.MiddlewareFunc {
	if !s.app.Config.RateLimit {
		return func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	}
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store: middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
			Rate: rate.Limit(perSecond), Burst: burst, ExpiresIn: 10 * time.Minute,
		}),
		ErrorHandler: func(c echo.Context, err error) error { return problem(c, http.StatusForbidden, "forbidden") },
		DenyHandler: func(c echo.Context, _ string, _ error) error {
			return problem(c, http.StatusTooManyRequests, "rate_limited")
		},
	})
}
