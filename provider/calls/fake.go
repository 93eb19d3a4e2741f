package calls

import "github.com/archkit/archkit/pattern/blueprint"

// fakeTable is the minimum on package fake's driver, in calls of the
// driver contract: one Create per resource, one Delete per resource, one
// List per kind, Zones once. The fake counts the lock's calls apart
// (fake.Counts.Locks) and its Read is the engine's poll of a pending
// resource.
func fakeTable() *Table {
	t := &Table{Cloud: Fake, Zones: 1, PollOps: []string{"Read"}}
	for _, k := range blueprint.Kinds {
		t.Rows = append(t.Rows, Row{
			Kind: k, Create: "1 Create", Delete: "1 Delete", ListText: "1 List",
			CreateWrites: n(1), DeleteWrites: n(1), List: 1,
		})
	}
	return t
}
