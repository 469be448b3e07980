package sandbox

// Text templates of the demo dataset. Placeholders are one letter in braces:
//
//	{A} agent first name   {C} caller first name   {K} company
//	{D} a weekday          {T} a time of day        {E} a date
//	{O} an order number    {M} an amount            {P} a product
//	{N} a ticket number
//
// Dialogue lines start with the speaker: 'A' the workspace side (a user or
// the AI agent), 'C' the other party.

const demoCompany = "Bayview Supply Co."

type topic struct {
	name     string
	body     []string
	summary  []string
	next     []string
	aiClose  string // the AI agent's last line when it handled the call
	numbers  string // which lines use it: S sales, U support, M main
	voiceMsg string // a voicemail on this topic
}

var topics = []topic{
	{
		name: "appointment booking", numbers: "M",
		body: []string{
			"CHi, I'd like to book a time for someone to come out and look at the {P} install.",
			"ASure, I can help with that. What day works best for you?",
			"CSomething {D} would be ideal, ideally in the afternoon.",
			"AI have {D} at {T} open. Does that work?",
			"C{T} is perfect.",
			"AGreat, you're booked for {D} at {T}. You'll get a text confirmation shortly.",
			"CThanks, that's all I needed.",
		},
		summary: []string{
			"{C} called to book an on-site visit for a {P} installation.",
			"Appointment booked for {D} at {T}; a text confirmation will be sent.",
		},
		next:     []string{"Send the confirmation text for {D} at {T}.", "Assign a technician to the {D} visit."},
		aiClose:  "AI've pencilled you in for {D} at {T}; the team will confirm by text in the morning.",
		voiceMsg: "CHi, this is {C}. I'd like to set up an appointment for the {P} install, {D} if possible. Please call me back. Thanks!",
	},
	{
		name: "billing question", numbers: "UM",
		body: []string{
			"CI'm looking at my last invoice and there's a charge of {M} I don't recognise.",
			"ALet me pull that up. Can you confirm the invoice date?",
			"CIt's the one from {E}.",
			"AI see it. That's the annual service fee for the {P}; it renews every year.",
			"COh, I thought that was included in the purchase.",
			"AThe first year is. I can switch you to monthly billing if that's easier.",
			"CYes, let's do monthly.",
			"ADone. You'll see the change on your next statement.",
		},
		summary: []string{
			"{C} questioned a {M} charge on the invoice dated {E}.",
			"{A} explained it is the annual service fee for the {P} and switched the account to monthly billing.",
		},
		next:     []string{"Confirm the switch to monthly billing by email.", "Check that the next statement shows monthly billing."},
		aiClose:  "AI've noted your question about the {M} charge; someone from billing will call you back {D}.",
		voiceMsg: "CHi, it's {C}. I have a question about a {M} charge on my invoice from {E}. Could someone from billing call me back? Thanks.",
	},
	{
		name: "order status", numbers: "SUM",
		body: []string{
			"CI'm checking on order {O}. It was supposed to arrive by now.",
			"ALet me look that up. Order {O} for the {P}, correct?",
			"CThat's the one.",
			"AIt shipped yesterday and is out for delivery; it should be there by {D}.",
			"COK, is there a tracking link?",
			"AI'll text you the tracking link right after this call.",
			"CPerfect, thank you.",
		},
		summary: []string{
			"{C} asked about the status of order {O} ({P}).",
			"The order has shipped and is expected by {D}; {A} will text the tracking link.",
		},
		next:     []string{"Text the tracking link for order {O}.", "Follow up if order {O} has not arrived by {D}."},
		aiClose:  "AOrder {O} has shipped and should arrive by {D}. I'll text you the tracking link now.",
		voiceMsg: "CHey, this is {C}, calling about order {O}. It hasn't shown up yet. Can you call me back with an update? Thanks.",
	},
	{
		name: "support issue", numbers: "U",
		body: []string{
			"CMy {P} stopped working this morning. The status light keeps blinking red.",
			"ASorry to hear that. Have you tried unplugging it for thirty seconds?",
			"CYes, twice. Same thing.",
			"AOK. I've opened ticket {N}. A blinking red light usually means the sensor needs replacing.",
			"CIs that covered by the warranty?",
			"AIt is. We'll ship a replacement sensor today at no cost.",
			"CGreat, thanks for the help.",
		},
		summary: []string{
			"{C} reported the {P} blinking red after a restart; ticket {N} opened.",
			"Diagnosed a faulty sensor, covered by warranty; a replacement ships today.",
		},
		next:     []string{"Ship the replacement sensor for ticket {N}.", "Check in with {C} on {D} to confirm the {P} works."},
		aiClose:  "AI've opened ticket {N} for the {P}. A technician will call you back first thing {D}.",
		voiceMsg: "CHi, it's {C}. My {P} is blinking red and won't reset. Could someone from support call me back? Thank you.",
	},
	{
		name: "sales inquiry", numbers: "S",
		body: []string{
			"CI'm interested in the {P} for our office. Can you tell me about pricing?",
			"ASure. The {P} is {M}, and there's a volume discount from five units.",
			"CWe'd need about eight.",
			"AThen you'd get ten percent off. I can put together a quote today.",
			"CThat would be great. Can you email it?",
			"AAbsolutely. I'll also include the installation options.",
			"CSounds good, talk soon.",
		},
		summary: []string{
			"{C} enquired about buying about eight units of the {P} at {M} each.",
			"{A} offered the ten percent volume discount and will email a quote with installation options.",
		},
		next:     []string{"Email {C} a quote for eight {P} units with the volume discount.", "Follow up on the quote on {D}."},
		aiClose:  "AThanks! I've passed your request for a {P} quote to our sales team; they'll reach out {D}.",
		voiceMsg: "CHi, this is {C}. I'm interested in the {P} and would like a quote for our office. Please give me a call back.",
	},
	{
		name: "demo scheduling", numbers: "S",
		body: []string{
			"CWe spoke last week about the {P}. Could we see a demo before deciding?",
			"AOf course. I can do a live demo {D} at {T}.",
			"CThat works. Can my operations manager join?",
			"ASure, I'll send an invite you can forward.",
			"CGreat, see you then.",
		},
		summary: []string{
			"{C} asked for a live demo of the {P} before purchasing.",
			"Demo scheduled for {D} at {T}; the operations manager will join.",
		},
		next:     []string{"Send the calendar invite for the {D} {T} demo.", "Prepare pricing for the {P} for the demo."},
		aiClose:  "AI've requested a demo of the {P} for {D} at {T}; you'll get a confirmation by email.",
		voiceMsg: "CHi, {C} here. We'd like to schedule a demo of the {P}. Any time {D} works for us. Thanks!",
	},
	{
		name: "refund request", numbers: "UM",
		body: []string{
			"CI'd like to return the {P} I bought on {E}. It's not the right size for our space.",
			"AI'm sorry it didn't fit. It's within the thirty-day window, so a full refund is fine.",
			"CHow do I send it back?",
			"AI'll email a prepaid return label. Once it arrives, the refund of {M} takes three to five days.",
			"COK, thanks.",
		},
		summary: []string{
			"{C} wants to return the {P} bought on {E} because it does not fit.",
			"Full refund of {M} approved; {A} will email a prepaid return label.",
		},
		next:     []string{"Email the prepaid return label to {C}.", "Issue the {M} refund when the {P} is received."},
		aiClose:  "AI've started a return for the {P}; you'll get a prepaid label by email.",
		voiceMsg: "CHi, it's {C}. I need to return the {P} I bought on {E}. Please call me back about a refund.",
	},
	{
		name: "delivery reschedule", numbers: "M",
		body: []string{
			"CMy delivery for order {O} is set for tomorrow but I won't be home.",
			"ANo problem. When would suit you better?",
			"C{D} any time after {T}.",
			"AI've moved it to {D}, after {T}. The driver will call thirty minutes ahead.",
			"CThank you so much.",
		},
		summary: []string{
			"{C} asked to reschedule the delivery of order {O}.",
			"Delivery moved to {D} after {T}; the driver will call ahead.",
		},
		next:     []string{"Update the delivery window of order {O} in the dispatch system."},
		aiClose:  "AI've moved the delivery of order {O} to {D} after {T}.",
		voiceMsg: "CHi, this is {C}. I need to move the delivery for order {O} to {D}. Please call me back.",
	},
	{
		name: "account update", numbers: "SUM",
		body: []string{
			"CWe've moved offices and need to update our billing and shipping address.",
			"AHappy to help. What's the new address?",
			"CIt's 48 Harbor Street, suite 200.",
			"AGot it. I've updated both addresses. Anything else?",
			"CThat's everything, thanks.",
		},
		summary: []string{
			"{C} called to update the billing and shipping address after an office move.",
			"{A} updated both addresses to 48 Harbor Street, suite 200.",
		},
		next:     []string{"Email {C} a confirmation of the address change."},
		aiClose:  "AThanks, I've recorded the new address and the team will confirm the change by email.",
		voiceMsg: "CHi, {C} here. We've moved offices and need to update our address. Call me back when you can.",
	},
}

const (
	openIn   = "AThanks for calling " + demoCompany + ", this is {A}. How can I help?"
	openOut1 = "AHi {C}, it's {A} from " + demoCompany + ", returning your call."
	openOut2 = "CHi {A}, thanks for getting back to me."
	openAI   = "AHi, you've reached " + demoCompany + ". I'm the virtual assistant, and the team is away right now. How can I help?"
	closeAI  = "CGreat, thank you."
)

var (
	firstNames = []string{
		"Dana", "Marcus", "Priya", "Ethan", "Sofia", "Liam", "Aisha", "Noah", "Grace", "Omar",
		"Hannah", "Diego", "Chloe", "Isaac", "Mei", "Lucas", "Zoe", "Andre", "Nora", "Victor",
		"Leah", "Mateo", "Ruby", "Samir", "Elena", "Owen", "Fatima", "Caleb", "Ivy", "Julian",
		"Maya", "Felix", "Amara", "Hugo", "Clara", "Ravi", "Stella", "Tomas", "Ada", "Kenji",
	}
	lastNames = []string{
		"Whitaker", "Okafor", "Raman", "Lindqvist", "Moreno", "Byrne", "Haddad", "Kowalski", "Tanaka", "Dubois",
		"Schmidt", "Alvarez", "Nakamura", "Osei", "Fischer", "Reyes", "Novak", "Mensah", "Larsen", "Costa",
		"Brennan", "Sato", "Delgado", "Ferreira", "Quinn", "Hughes", "Iyer", "Park", "Walsh", "Vargas",
	}
	businesses = []string{
		"Harbor Dental", "Pinecrest Realty", "Summit Fitness", "Golden Gate Bakery", "Redwood Legal",
		"Bluebird Cafe", "Northside Auto", "Crescent Property Mgmt", "Lakeview Clinic", "Oak & Iron Builders",
		"Sunset Veterinary", "Metro Print Shop", "Juniper Salon", "Riverbend School", "Atlas Logistics",
	}
	products = []string{
		"SmartTherm thermostat", "AquaPure filter system", "ProDesk standing desk", "LumaLED panel kit",
		"SecureCam doorbell", "EcoFlow water heater", "QuietAir purifier", "FlexShelf storage unit",
	}
	weekdays   = []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday"}
	slots      = []string{"9:30 AM", "10:00 AM", "11:15 AM", "1:00 PM", "2:30 PM", "3:45 PM", "4:30 PM"}
	months     = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	areaCodes  = []string{"212", "206", "303", "305", "312", "404", "415", "503", "510", "512", "617", "646", "702", "720", "737"}
	groupNames = []string{"Harbor Dental front desk", "Pinecrest move-in team"}
)

// voicemailGeneric are voicemails left on a line whose topics do not fit.
var voicemailGeneric = []string{
	"CHi, this is {C}. Just returning your call, give me a ring back when you get a chance.",
	"CHey, it's {C}. Quick question for you, nothing urgent. Call me back when you can. Thanks.",
}
