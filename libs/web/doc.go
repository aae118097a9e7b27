// Package web owns the one page shell every service's HTML pages are rendered in: the layout
// (unit name, signed-in person, navigation between services, sign-out), its CSS, favicon and the
// vendored htmx script, all embedded and served under the service's own path prefix; CSRF
// protection for forms; form field helpers that show each field's error; one-time flash messages;
// the page's language (Vietnamese, or English by the person's choice, remembered across the
// services) with the {{t}} template function and per-language message catalogues; and date,
// number and money formatting in Asia/Ho_Chi_Minh time. Services supply only
// the "content" of their pages, so the look, the accessibility work and the security headers are
// written once, here, and a change to them reaches every service with one upgrade of libs.
package web
