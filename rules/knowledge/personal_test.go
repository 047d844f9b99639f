package knowledge

import "testing"

// TestPersonalRecordNames: tables named for people's records are personal
// in English, Spanish and Portuguese, singular or plural; catalogue and
// content tables are not.
func TestPersonalRecordNames(t *testing.T) {
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"users", true},
		{"patient_records", true},
		{"appointments", true},
		{"pacientes", true},
		{"citas", true},
		{"usuarios", true},
		{"pedidos", true},
		{"clienteContacto", true},
		{"tareas_pendientes", false},
		{"products", false},
		{"productos", false},
		{"manuales", false},
		{"posts", false},
	} {
		if got := PersonalRecord(tc.name); got != tc.want {
			t.Errorf("PersonalRecord(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestPublicRouteCapabilityLink: a dynamic segment named for a secret
// token makes a capability link; one named for an id does not, and an
// earlier public segment still decides.
func TestPublicRouteCapabilityLink(t *testing.T) {
	for _, tc := range []struct {
		path string
		want PublicReason
	}{
		{"/cuestionarios/berlin/[token]", CapabilityLink},
		{"/invite/[inviteToken]", CapabilityLink},
		{"/invite/:token", CapabilityLink},
		{"/patients/[id]", NotPublic},
		{"/blog/[token]", Marketing},
		{"/dashboard/[slug]", NotPublic},
	} {
		if got, _ := PublicRoute(tc.path); got != tc.want {
			t.Errorf("PublicRoute(%q) = %q, want %q", tc.path, got, tc.want)
		}
	}
}
