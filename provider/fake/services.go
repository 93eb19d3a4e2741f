package fake

import (
	"fmt"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// The account and region of the fake's ARNs, as moto answers them.
var fakeScope = blueprint.ARNScope{Partition: "aws", Region: "us-east-1", Account: "123456789012"}

// SecretARN returns the ARN of the master user secret of the fake's
// database id, as RDS names them ("...:secret:rds!<id>-<6 characters>").
func SecretARN(id string) string {
	return fmt.Sprintf("arn:%s:secretsmanager:%s:%s:secret:rds!%s-AbCdEf", fakeScope.Partition, fakeScope.Region, fakeScope.Account, id)
}

// validateInstanceRole checks a role as IAM does: the static rules
// ([blueprint.Resource.Check]: name, Sids, actions, scoped resources),
// the name unique in the account (EntityAlreadyExists), every database
// and every broker whose secret it reads exists, and the policy, filled
// in, within IAM's 10,240 characters (LimitExceeded).
func (d *Driver) validateInstanceRole(op string, e, old *entry) error {
	s := e.res.InstanceRole
	if err := e.res.Check(); err != nil {
		return d.errf(op, e.kind, e.res.ID, driver.Invalid, "%v", err)
	}
	if o := d.keyed(blueprint.KindInstanceRole, nameKey(s.Name), old); len(o) > 0 {
		return d.errf(op, e.kind, e.res.ID, driver.AlreadyExists, "instance_role.name: role %s already exists (%s)", s.Name, o[0].id)
	}
	secrets := map[blueprint.Ref]string{}
	for i, st := range s.Statements {
		if st.BrokerSecret != "" {
			if _, err := d.ref(op, e, fmt.Sprintf("instance_role.statements[%d].broker_secret", i), st.BrokerSecret, blueprint.KindBroker); err != nil {
				return err
			}
			secrets[st.BrokerSecret] = BrokerSecretARN(string(st.BrokerSecret))
		}
		if st.Secret == "" {
			continue
		}
		if _, err := d.ref(op, e, fmt.Sprintf("instance_role.statements[%d].secret", i), st.Secret, blueprint.KindDatabase); err != nil {
			return err
		}
		secrets[st.Secret] = SecretARN(string(st.Secret))
	}
	doc, err := s.PolicyDocument(fakeScope, secrets)
	if err != nil {
		return d.errf(op, e.kind, e.res.ID, driver.Invalid, "instance_role.statements: %v", err)
	}
	if n := blueprint.PolicyChars(doc); n > blueprint.MaxRolePolicyChars {
		return d.errf(op, e.kind, e.res.ID, driver.Invalid, "instance_role.statements: policy of %d characters, over %d (LimitExceeded)", n, blueprint.MaxRolePolicyChars)
	}
	return nil
}

// validateFlowLog checks a flow log as EC2 does: its Net exists, the
// static rules hold (destination, log group, role and retention), and no
// other flow log of the Net writes to the same place
// (FlowLogAlreadyExists).
func (d *Driver) validateFlowLog(op string, e, old *entry) error {
	s := e.res.FlowLog
	if _, err := d.ref(op, e, "flow_log.net", s.Net, blueprint.KindNet); err != nil {
		return err
	}
	if err := e.res.Check(); err != nil {
		return d.errf(op, e.kind, e.res.ID, driver.Invalid, "%v", err)
	}
	for _, o := range d.keyed(blueprint.KindFlowLog, netKey(s.Net), old) {
		if os := o.res.FlowLog; os.Destination == s.Destination && os.LogGroup == s.LogGroup && os.Bucket == s.Bucket {
			return d.errf(op, e.kind, e.res.ID, driver.AlreadyExists, "flow_log: %s already logs net %s there (FlowLogAlreadyExists)", o.id, s.Net)
		}
	}
	return nil
}
