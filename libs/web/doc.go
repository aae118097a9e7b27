// Package web owns the one page shell every service's HTML pages are rendered in: the layout
// (unit name, signed-in person, navigation between services, sign-out), its CSS, favicon and the
// vendored htmx script, all embedded and served under the service's own path prefix; CSRF
// protection for forms; form field helpers that show each field's error; one-time flash messages;
// the page's language (Vietnamese, or English by the person's choice, remembered across the
// services) with the {{t}} template function and per-language message catalogues; and date,
// number and money formatting in Asia/Ho_Chi_Minh time. Services supply only
// the "content" of their pages, so the look, the accessibility work and the security headers are
// written once, here, and a change to them reaches every service with one upgrade of libs.
//
// Dates a person reads are dd/mm/yyyy (FormatDate, {{date}}); dates a person types are native
// <input type="date"> fields (DateInput), on purpose, although their display follows the
// browser's own language, not the page's: a Vietnamese browser shows dd/mm/yyyy, an English one
// may show mm/dd/yyyy. What decided it: the native field gives every browser's date picker
// (a phone's wheel, a desktop calendar), is keyboard-usable and announced by screen readers
// without a script of ours (the strict CSP allows none inline, and a picker written here would
// be one more thing axe and the keyboard tests must chase), and always posts the unambiguous
// ISO yyyy-mm-dd, so "04/03" is never parsed as the wrong month. The cost, seen in the e2e
// language test's screenshots: in a browser whose own language is US English the field shows
// 12/07/2026 for 7 December, even on a Vietnamese page. Everything the platform shows back (the
// lists, the staff profile, forms 01-07) is dd/mm/yyyy, so a slip shows at
// once. A text field typed "dd/mm/yyyy" would give the rest up to fix that display only.
package web
