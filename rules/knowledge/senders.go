package knowledge

// SendKind is what an outbound call sends.
type SendKind uint8

// Kinds of outbound effects.
const (
	SendsMail  SendKind = iota + 1 // email (and SMS) to arbitrary recipients
	MovesMoney                     // charges, refunds, transfers, payouts, billing changes
)

func (k SendKind) String() string {
	switch k {
	case SendsMail:
		return "mail"
	case MovesMoney:
		return "money"
	}
	return "unknown"
}

// Sender is a library call that sends mail or moves money.
type Sender struct {
	Library string
	Modules []string // import paths (a path matches its subpaths)
	// Calls are the call suffixes, receiver segments included where they
	// disambiguate ("emails.send", "refunds.create", "sendMail").
	Calls []string
	Kind  SendKind
	// HTML are the options of a mail call that hold the message's HTML
	// body ("html", postmark's "HtmlBody"), as the sender's Source
	// documents them.
	HTML   []string
	Source string
}

// senders are the mail and payment calls.
//
// Replaces: the "resend", "stripe" and "send" entries of
// rules/routes/next_guard.go dataRoots/dataMethods and
// rules/routes/server_rules.go srvDataRoots, and
// rules/hardening/mfa001_reverification.go moneyCallRe.
var senders = []Sender{
	{Library: "resend", Modules: []string{"resend"}, Calls: []string{"emails.send", "emails.create", "batch.send", "batch.create"},
		Kind: SendsMail, HTML: []string{"html"}, Source: "https://resend.com/docs/api-reference/emails/send-email"},
	{Library: "nodemailer", Modules: []string{"nodemailer"}, Calls: []string{"sendMail"},
		Kind: SendsMail, HTML: []string{"html"}, Source: "https://nodemailer.com/message/"},
	{Library: "sendgrid", Modules: []string{"@sendgrid/mail"}, Calls: []string{"send", "sendMultiple"},
		Kind: SendsMail, HTML: []string{"html"}, Source: "https://github.com/sendgrid/sendgrid-nodejs/tree/main/packages/mail"},
	{Library: "postmark", Modules: []string{"postmark"}, Calls: []string{"sendEmail", "sendEmailWithTemplate", "sendEmailBatch"},
		Kind: SendsMail, HTML: []string{"HtmlBody"}, Source: "https://postmarkapp.com/developer/integration/official-libraries#node-js"},
	{Library: "aws-ses", Modules: []string{"@aws-sdk/client-ses", "@aws-sdk/client-sesv2"}, Calls: []string{"SendEmailCommand", "SendRawEmailCommand"},
		Kind: SendsMail, Source: "https://docs.aws.amazon.com/AWSJavaScriptSDK/v3/latest/client/ses/command/SendEmailCommand/"},
	{Library: "twilio", Modules: []string{"twilio"}, Calls: []string{"messages.create"},
		Kind: SendsMail, Source: "https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource"},
	{Library: "stripe", Modules: []string{"stripe"},
		Calls: []string{"charges.create", "charges.capture", "refunds.create", "transfers.create", "payouts.create",
			"paymentIntents.create", "paymentIntents.confirm", "paymentIntents.capture", "invoices.pay",
			"subscriptions.create", "subscriptions.update", "subscriptions.cancel", "subscriptions.del",
			"customers.createBalanceTransaction", "topups.create", "checkout.sessions.create"},
		Kind: MovesMoney, Source: "https://docs.stripe.com/api (charges, refunds, transfers, payouts, payment_intents, invoices, subscriptions); https://docs.stripe.com/api/checkout/sessions/create (a Checkout Session fixes the line items and amounts the customer pays)"},
	{Library: "paypal", Modules: []string{"@paypal/paypal-server-sdk", "@paypal/checkout-server-sdk"},
		Calls: []string{"ordersCapture", "capturesRefund", "OrdersCaptureRequest", "CapturesRefundRequest"},
		Kind:  MovesMoney, Source: "https://developer.paypal.com/docs/api/orders/v2/#orders_capture"},
}

// SendCall returns the sender a call is: pkg is the module the receiver
// comes from, callee the call's text; the callee matches when it ends
// with one of the sender's calls at a segment boundary.
func SendCall(pkg, callee string) (Sender, bool) {
	for _, s := range senders {
		if !fromAny(s.Modules, pkg) {
			continue
		}
		if endsWithCall(callee, s.Calls) {
			return cloneSender(s), true
		}
	}
	return Sender{}, false
}

func cloneSender(s Sender) Sender {
	s.Modules = append([]string(nil), s.Modules...)
	s.Calls = append([]string(nil), s.Calls...)
	s.HTML = append([]string(nil), s.HTML...)
	return s
}

// fromAny reports whether pkg is one of modules or a subpath of one.
func fromAny(modules []string, pkg string) bool {
	for _, m := range modules {
		if pkg == m || len(pkg) > len(m) && pkg[:len(m)] == m && pkg[len(m)] == '/' {
			return true
		}
	}
	return false
}

// endsWithCall reports whether callee is one of calls or ends with one at
// a segment boundary ("stripe.refunds.create" ends with "refunds.create").
func endsWithCall(callee string, calls []string) bool {
	for _, c := range calls {
		if callee == c || len(callee) > len(c) && callee[len(callee)-len(c)-1] == '.' && callee[len(callee)-len(c):] == c {
			return true
		}
	}
	return false
}
