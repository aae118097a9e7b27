package domain

import (
	"slices"
	"time"

	"egov.vn/platform/libs/apperr"
)

// DeliveryState is where an electronically sent document stands at one recipient.
type DeliveryState string

const (
	// Received: the document arrived and was entered, with its arrival number, in the
	// recipient's incoming register. The platform acknowledges this itself at arrival, as the
	// national document-exchange axis does ("đã tiếp nhận").
	DeliveryReceived DeliveryState = "received"
	// Read: someone of the recipient unit opened it.
	DeliveryRead DeliveryState = "read"
)

// Name is the Vietnamese state for the sender's page.
func (s DeliveryState) Name() string {
	if s == DeliveryRead {
		return "Đã đọc"
	}
	return "Đã nhận"
}

// Delivery is one recipient of an outgoing document sent electronically.
type Delivery struct {
	ID                 string
	SenderTenant       string
	DocumentID         string // the sender's outgoing document
	RecipientTenant    string
	IncomingDocumentID string // the document in the recipient's incoming register
	IncomingNumber     int
	State              DeliveryState
	SentAt             time.Time
	ReceivedAt         time.Time
	ReadAt             *time.Time
}

// CheckSend applies the exchange rules before an outgoing document leaves: only outgoing
// documents go out; a classified one never travels over the network (the law on protecting
// state secrets forbids it); at least one recipient, none of them the sender itself.
func CheckSend(d Document, sender string, recipients []string) error {
	var errs apperr.FieldErrors
	if d.Direction != Outgoing {
		errs.Add("document", "Chỉ văn bản đi mới gửi được cho đơn vị khác")
	}
	if d.Security.Classified() {
		errs.Add("security", "Văn bản mật không được gửi qua mạng; hãy chuyển bằng đường bưu chính mật")
	}
	if len(recipients) == 0 {
		errs.Add("recipients", "Chọn ít nhất một đơn vị nhận")
	}
	if slices.Contains(recipients, sender) {
		errs.Add("recipients", "Không gửi văn bản cho chính đơn vị mình")
	}
	return errs.Err()
}
