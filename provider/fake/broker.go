package fake

import (
	"fmt"

	"github.com/archkit/archkit/provider/driver"
)

// PartSecret is the key of Observed.Parts that names the secret holding a
// broker's administrative user and password (its ARN), as the AWS driver
// reports it.
const PartSecret = "secret"

// BrokerSecretARN returns the ARN of the secret of the fake's broker id,
// as Secrets Manager names secrets ("...:secret:<name>-<6 characters>").
func BrokerSecretARN(id string) string {
	return fmt.Sprintf("arn:%s:secretsmanager:%s:%s:secret:archkit/broker/%s-AbCdEf", fakeScope.Partition, fakeScope.Region, fakeScope.Account, id)
}

// validateBroker checks a managed broker the way Amazon MQ does (engine,
// version, instance type, deployment mode and its subnets, user name:
// blueprint.Resource.Check): subnets of one Net, each in another zone
// when there are several (CreateBroker SubnetIds), security groups of that
// Net; an update keeps Amazon MQ's rules of UpdateBroker
// (inplace.AmazonMQ).
func (d *Driver) validateBroker(op string, e, old *entry) error {
	s := e.res.Broker
	net, err := d.checkSubnets(op, e, "broker.subnets", s.Subnets, max(len(s.Subnets), 1))
	if err != nil {
		return err
	}
	if err := d.checkGroups(op, e, "broker.security_groups", s.SecurityGroups, net); err != nil {
		return err
	}
	if old == nil {
		return nil
	}
	if why := d.Replaces(old.res, e.res); len(why) > 0 {
		return d.errf(op, e.kind, e.res.ID, driver.Invalid, "%v; replace the broker instead", why)
	}
	return nil
}
