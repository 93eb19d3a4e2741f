package aws

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"slices"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/mq"
	mqtypes "github.com/aws/aws-sdk-go-v2/service/mq/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// A broker is an Amazon MQ for RabbitMQ broker named brokerName(token)
// and the Secrets Manager secret brokerSecretName(name) that holds its
// administrative user and password. Observed.ID is the broker's id
// ("b-1234a5b6-..."), Parts["secret"] the secret's ARN.
//
// The password never passes through the blueprint, the plan, events or
// logs: the driver draws it with crypto/rand, stores it in the secret
// (tagged with the deployment) before the broker exists, and reads it
// back from the secret for CreateBroker, whose request is the only other
// place it travels. A run that stops between the two finds the secret
// again, by its name, and uses the same password; a secret whose broker
// does not exist is listed as an Incomplete broker, which the engine
// completes or deletes.
//
// CreateBroker: EngineType RABBITMQ, the version asked (Amazon MQ's latest
// when none), DeploymentMode CLUSTER_MULTI_AZ (three nodes over the
// subnets' zones) or SINGLE_INSTANCE (its one subnet), PubliclyAccessible
// false, the tier's security group, AutoMinorVersionUpgrade, the general
// logs, the maintenance window, the tags, and CreatorRequestId from the
// token, so that a create sent again makes no second broker. Amazon MQ has
// no waiter in aws-sdk-go-v2: the driver polls DescribeBroker until
// RUNNING (bounded; the engine polls Read after).
//
// In place (updateBroker): engine version (upgrades), host instance type
// (not down to mq.t3.micro), automatic minor version upgrades,
// maintenance window, logs and security groups by one UpdateBroker.
// Amazon MQ applies a new version, instance type or groups at the next
// reboot or maintenance window (DescribeBroker's Pending* fields, which
// Read reports as the broker's value): archkit never reboots a broker.
// Amazon MQ has no deletion protection: the driver refuses the delete of a
// broker itself unless the caller allowed it (LiftProtection), then
// deletes the broker and, once it is gone, its secret without a recovery
// window (the password of a broker that no longer exists opens nothing).

// PartSecret names the broker's secret (its ARN) in Observed.Parts.
const PartSecret = "secret"

// tagBrokerSecret keeps the ARN of a broker's secret on the broker, and
// tagBrokerWindow the maintenance window asked: without it the window is
// Amazon MQ's choice, which Read reports as "" (the spec's "cloud
// chooses"), so that a broker declared without one does not differ from
// the window Amazon MQ gave it.
const (
	tagBrokerSecret = specTag + "secret"
	tagBrokerWindow = specTag + "maintenance-window"
)

// brokerSecretPrefix starts the name of every broker secret archkit makes.
const brokerSecretPrefix = "archkit/broker/"

// brokerName turns a token into a valid broker name: 1 to 50 letters,
// digits, '-' and '_' (CreateBroker BrokerName), keeping the end, which
// holds the token's hash, when it is longer.
func brokerName(token string) string {
	b := []byte(token)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			b[i] = '-'
		}
	}
	name := string(b)
	if len(name) > blueprint.MaxBrokerNameLen {
		const tail = 9 // "-" and 8 hex digits of the token's hash
		name = name[:blueprint.MaxBrokerNameLen-tail] + name[len(name)-tail:]
	}
	return name
}

// brokerSecretName is the name of the secret of broker name.
func brokerSecretName(name string) string { return brokerSecretPrefix + name }

// brokerCredentials is the JSON of a broker's secret.
type brokerCredentials struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// newBrokerPassword draws a password Amazon MQ takes: 26 characters of
// crypto/rand.Text (A-Z, 2-7), at least 4 distinct and none of ",:="
// (Amazon MQ API reference, User.Password: "at least 12 characters long,
// at least 4 unique characters, and must not contain commas, colons, or
// equal signs").
func newBrokerPassword() string {
	for {
		p := rand.Text()
		seen := map[rune]bool{}
		for _, r := range p {
			seen[r] = true
		}
		if len(seen) >= 4 {
			return p
		}
	}
}

func (d *Driver) createBroker(ctx context.Context, req driver.Request) (driver.Observed, error) {
	return d.createBrokerNamed(ctx, req, brokerName(clusterName(req)))
}

// createBrokerNamed creates broker name and its secret, or finds them: a
// broker of that name an earlier run made is waited on, a secret it left
// is used.
func (d *Driver) createBrokerNamed(ctx context.Context, req driver.Request, name string) (driver.Observed, error) {
	lid := req.Resource.ID
	if id, err := d.brokerIDByName(ctx, name); err != nil {
		return driver.Observed{}, err
	} else if id != "" {
		return d.waitBroker(ctx, id)
	}
	arn, cred, err := d.ensureBrokerSecret(ctx, lid, name, req.Resource.Broker.Username, req.Tags)
	if err != nil {
		return driver.Observed{}, err
	}
	out, err := d.MQ.CreateBroker(ctx, createBrokerInput(name, clusterName(req), req.Resource.Broker, cred, withTags(req.Tags,
		tagEngineVersion, req.Resource.Broker.EngineVersion, tagBrokerSecret, arn, tagBrokerWindow, req.Resource.Broker.MaintenanceWindow)))
	if err != nil {
		return driver.Observed{}, mapErr("CreateBroker", "broker", lid, err)
	}
	return d.waitBroker(ctx, awssdk.ToString(out.BrokerId))
}

// createBrokerInput is the CreateBroker of spec s named name, whose
// administrative user is cred.
func createBrokerInput(name, token string, s *blueprint.BrokerSpec, cred brokerCredentials, tags map[string]string) *mq.CreateBrokerInput {
	in := &mq.CreateBrokerInput{
		BrokerName:              awssdk.String(name),
		CreatorRequestId:        awssdk.String(token),
		EngineType:              mqtypes.EngineTypeRabbitmq,
		HostInstanceType:        awssdk.String(s.InstanceType),
		DeploymentMode:          mqtypes.DeploymentModeSingleInstance,
		PubliclyAccessible:      awssdk.Bool(false),
		AutoMinorVersionUpgrade: awssdk.Bool(s.AutoMinorVersionUpgrade),
		Logs:                    &mqtypes.Logs{General: awssdk.Bool(s.Logs)},
		SubnetIds:               refStrings(s.Subnets),
		SecurityGroups:          refStrings(s.SecurityGroups),
		Users:                   []mqtypes.User{{Username: awssdk.String(cred.Username), Password: awssdk.String(cred.Password)}},
		Tags:                    tags,
	}
	if s.MultiAZ {
		in.DeploymentMode = mqtypes.DeploymentModeClusterMultiAz
	}
	if s.EngineVersion != "" {
		in.EngineVersion = awssdk.String(s.EngineVersion)
	}
	in.MaintenanceWindowStartTime = weeklyStartTime(s.MaintenanceWindow)
	return in
}

// brokerDays maps the days of a maintenance window ("Sun") to Amazon MQ's.
var brokerDays = map[string]mqtypes.DayOfWeek{"Mon": mqtypes.DayOfWeekMonday, "Tue": mqtypes.DayOfWeekTuesday,
	"Wed": mqtypes.DayOfWeekWednesday, "Thu": mqtypes.DayOfWeekThursday, "Fri": mqtypes.DayOfWeekFriday,
	"Sat": mqtypes.DayOfWeekSaturday, "Sun": mqtypes.DayOfWeekSunday}

// weeklyStartTime turns "Sun:03:00" into Amazon MQ's start time in UTC;
// nil for "".
func weeklyStartTime(w string) *mqtypes.WeeklyStartTime {
	day, hm, ok := strings.Cut(w, ":")
	if !ok {
		return nil
	}
	return &mqtypes.WeeklyStartTime{DayOfWeek: brokerDays[day], TimeOfDay: awssdk.String(hm), TimeZone: awssdk.String("UTC")}
}

// maintenanceWindow is the inverse of weeklyStartTime ("" for nil).
func maintenanceWindow(w *mqtypes.WeeklyStartTime) string {
	if w == nil {
		return ""
	}
	for k, v := range brokerDays {
		if strings.EqualFold(string(v), string(w.DayOfWeek)) {
			return k + ":" + awssdk.ToString(w.TimeOfDay)
		}
	}
	return ""
}

// ensureBrokerSecret returns the ARN and the credentials of the secret of
// broker name, made with a new password and the deployment's tags when it
// does not exist.
func (d *Driver) ensureBrokerSecret(ctx context.Context, lid, name, user string, tags map[string]string) (string, brokerCredentials, error) {
	id := brokerSecretName(name)
	arn, cred, err := d.brokerSecret(ctx, lid, id)
	if !hasCode(err, driver.NotFound) {
		return arn, cred, err
	}
	cred = brokerCredentials{Username: user, Password: newBrokerPassword()}
	body, _ := json.Marshal(cred) // two strings: cannot fail
	out, err := d.Secrets.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name:         awssdk.String(id),
		Description:  awssdk.String("archkit: administrative user of Amazon MQ broker " + name),
		SecretString: awssdk.String(string(body)),
		Tags:         secretTags(tags),
	})
	if hasCode(err, driver.AlreadyExists) {
		return d.brokerSecret(ctx, lid, id) // made by an earlier attempt whose answer was lost
	}
	if err != nil {
		return "", brokerCredentials{}, mapErr("CreateSecret", "broker", lid, err)
	}
	return awssdk.ToString(out.ARN), cred, nil
}

// brokerSecret reads the secret id: its ARN and credentials.
func (d *Driver) brokerSecret(ctx context.Context, lid, id string) (string, brokerCredentials, error) {
	var cred brokerCredentials
	got, err := d.Secrets.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: awssdk.String(id)})
	if err != nil {
		return "", cred, mapErr("GetSecretValue", "broker", lid, err)
	}
	if err := json.Unmarshal([]byte(awssdk.ToString(got.SecretString)), &cred); err != nil || cred.Password == "" {
		return "", cred, driver.NewError("GetSecretValue", "broker", lid, driver.Invalid, errString("aws: broker secret "+id+" holds no credentials; delete it"))
	}
	return awssdk.ToString(got.ARN), cred, nil
}

func secretTags(m map[string]string) []smtypes.Tag {
	var out []smtypes.Tag
	for _, k := range sortedKeys(m) {
		out = append(out, smtypes.Tag{Key: awssdk.String(k), Value: awssdk.String(m[k])})
	}
	return out
}

// brokerIDByName returns the id of the broker named name, or "".
func (d *Driver) brokerIDByName(ctx context.Context, name string) (string, error) {
	p := mq.NewListBrokersPaginator(d.MQ, &mq.ListBrokersInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return "", mapErr("ListBrokers", "broker", name, err)
		}
		for _, b := range out.BrokerSummaries {
			if awssdk.ToString(b.BrokerName) == name && b.BrokerState != mqtypes.BrokerStateDeletionInProgress {
				return awssdk.ToString(b.BrokerId), nil
			}
		}
	}
	return "", nil
}

// waitBroker waits (bounded) until broker id is RUNNING, then reads it.
func (d *Driver) waitBroker(ctx context.Context, id string) (driver.Observed, error) {
	var o driver.Observed
	err := d.retryWhile(ctx, driver.Unavailable, func() error {
		var err error
		if o, err = d.readBroker(ctx, id); err == nil && !o.Ready {
			if o.Status == string(mqtypes.BrokerStateCreationFailed) {
				return driver.NewError("DescribeBroker", "broker", id, driver.Invalid, errString("aws: broker "+id+" failed to create; delete it"))
			}
			return driver.NewError("DescribeBroker", "broker", id, driver.Unavailable, errString("aws: broker "+id+" is "+o.Status))
		}
		return err
	})
	if hasCode(err, driver.Unavailable) && o.ID != "" {
		return o, nil // not ready within the bound: the engine polls Read
	}
	return o, err
}

// readBroker reads broker id; a broker being deleted is gone for the
// engine.
func (d *Driver) readBroker(ctx context.Context, id string) (driver.Observed, error) {
	if strings.HasPrefix(id, brokerSecretPrefix) {
		return d.incompleteBroker(ctx, id)
	}
	out, err := d.MQ.DescribeBroker(ctx, &mq.DescribeBrokerInput{BrokerId: awssdk.String(id)})
	if err != nil {
		return driver.Observed{}, mapErr("DescribeBroker", "broker", id, err)
	}
	if out.BrokerState == mqtypes.BrokerStateDeletionInProgress {
		return driver.Observed{}, notFound("DescribeBroker", blueprint.KindBroker, id)
	}
	return brokerObserved(out), nil
}

// brokerObserved reports a broker: the values it will have once its
// pending changes apply, the version as asked (Amazon MQ reports the
// running patch version), its secret in Parts.
func brokerObserved(b *mq.DescribeBrokerOutput) driver.Observed {
	state := string(b.BrokerState)
	o := observed(blueprint.KindBroker, awssdk.ToString(b.BrokerId), b.Tags, b.BrokerState == mqtypes.BrokerStateRunning, state)
	s := &blueprint.BrokerSpec{Engine: strings.ToLower(string(b.EngineType)),
		EngineVersion:           cmp.Or(b.Tags[tagEngineVersion], awssdk.ToString(b.PendingEngineVersion)),
		InstanceType:            cmp.Or(awssdk.ToString(b.PendingHostInstanceType), awssdk.ToString(b.HostInstanceType)),
		MultiAZ:                 b.DeploymentMode == mqtypes.DeploymentModeClusterMultiAz,
		AutoMinorVersionUpgrade: awssdk.ToBool(b.AutoMinorVersionUpgrade),
		Subnets:                 toRefs(b.SubnetIds),
		SecurityGroups:          toRefs(b.SecurityGroups)}
	if len(b.PendingSecurityGroups) > 0 {
		s.SecurityGroups = toRefs(b.PendingSecurityGroups)
	}
	if b.Logs != nil {
		s.Logs = awssdk.ToBool(b.Logs.General)
	}
	if _, asked := b.Tags[tagBrokerWindow]; asked {
		s.MaintenanceWindow = maintenanceWindow(b.MaintenanceWindowStartTime)
	}
	if len(b.Users) > 0 {
		s.Username = awssdk.ToString(b.Users[0].Username)
	}
	o.Resource.Broker = s
	if arn := b.Tags[tagBrokerSecret]; arn != "" {
		o.Parts = map[string][]string{PartSecret: {arn}}
	}
	return o
}

func toRefs(ids []string) []blueprint.Ref {
	out := make([]blueprint.Ref, 0, len(ids))
	for _, id := range ids {
		out = append(out, blueprint.Ref(id))
	}
	slices.Sort(out)
	return out
}

// incompleteBroker reports the secret id of a broker that was never made,
// so that the engine completes or deletes it; NotFound without it.
func (d *Driver) incompleteBroker(ctx context.Context, id string) (driver.Observed, error) {
	out, err := d.Secrets.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: awssdk.String(id)})
	if err != nil {
		return driver.Observed{}, mapErr("DescribeSecret", "broker", id, err)
	}
	if out.DeletedDate != nil {
		return driver.Observed{}, notFound("DescribeSecret", blueprint.KindBroker, id)
	}
	return incompleteBrokerObserved(id, awssdk.ToString(out.ARN), fromSecretTags(out.Tags)), nil
}

func incompleteBrokerObserved(id, arn string, tags map[string]string) driver.Observed {
	o := observed(blueprint.KindBroker, id, tags, false, "incomplete")
	o.Incomplete = true
	o.Resource.Broker = &blueprint.BrokerSpec{}
	o.Parts = map[string][]string{PartSecret: {arn}}
	return o
}

func fromSecretTags(ts []smtypes.Tag) map[string]string {
	m := make(map[string]string, len(ts))
	for _, t := range ts {
		m[awssdk.ToString(t.Key)] = awssdk.ToString(t.Value)
	}
	return m
}

// listBrokers returns the deployment's brokers (DescribeBroker of each
// broker ListBrokers names, for its tags) and the secrets of brokers a
// create never made.
func (d *Driver) listBrokers(ctx context.Context, q driver.Query) ([]driver.Observed, error) {
	var res []driver.Observed
	names := map[string]bool{}
	p := mq.NewListBrokersPaginator(d.MQ, &mq.ListBrokersInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, mapErr("ListBrokers", "broker", "", err)
		}
		for _, b := range out.BrokerSummaries {
			names[awssdk.ToString(b.BrokerName)] = true
			if b.BrokerState == mqtypes.BrokerStateDeletionInProgress {
				continue
			}
			o, err := d.readBroker(ctx, awssdk.ToString(b.BrokerId))
			if hasCode(err, driver.NotFound) {
				continue // deleted since the list
			}
			if err != nil {
				return nil, err
			}
			if owned(o.Tags, q.Deployment) {
				res = append(res, o)
			}
		}
	}
	strays, err := d.strayBrokerSecrets(ctx, q, names)
	if err != nil {
		return nil, err
	}
	return append(res, strays...), nil
}

// strayBrokerSecrets returns the deployment's broker secrets whose broker
// does not exist.
func (d *Driver) strayBrokerSecrets(ctx context.Context, q driver.Query, brokers map[string]bool) ([]driver.Observed, error) {
	var res []driver.Observed
	p := secretsmanager.NewListSecretsPaginator(d.Secrets, &secretsmanager.ListSecretsInput{Filters: []smtypes.Filter{
		{Key: smtypes.FilterNameStringTypeName, Values: []string{brokerSecretPrefix}},
		{Key: smtypes.FilterNameStringTypeTagKey, Values: []string{driver.TagDeployment}}}})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, mapErr("ListSecrets", "broker", "", err)
		}
		for _, s := range out.SecretList {
			id := awssdk.ToString(s.Name)
			name, ok := strings.CutPrefix(id, brokerSecretPrefix)
			tags := fromSecretTags(s.Tags)
			if !ok || brokers[name] || s.DeletedDate != nil || !owned(tags, q.Deployment) {
				continue
			}
			res = append(res, incompleteBrokerObserved(id, awssdk.ToString(s.ARN), tags))
		}
	}
	return res, nil
}

// updateBroker sends one UpdateBroker of every field of the spec that
// differs from the broker's (completing an incomplete broker instead),
// records the version asked, and waits until the broker is RUNNING.
func (d *Driver) updateBroker(ctx context.Context, req driver.Request, cur driver.Observed) (driver.Observed, error) {
	if name, ok := strings.CutPrefix(cur.ID, brokerSecretPrefix); ok {
		return d.createBrokerNamed(ctx, req, name)
	}
	got, err := d.MQ.DescribeBroker(ctx, &mq.DescribeBrokerInput{BrokerId: awssdk.String(cur.ID)})
	if err != nil {
		return driver.Observed{}, mapErr("DescribeBroker", "broker", req.Resource.ID, err)
	}
	have := brokerObserved(got)
	h, w, lid := have.Resource.Broker, req.Resource.Broker, req.Resource.ID
	in := &mq.UpdateBrokerInput{BrokerId: awssdk.String(cur.ID)}
	changed := false
	set := func(differs bool, apply func()) {
		if differs {
			apply()
			changed = true
		}
	}
	set(w.EngineVersion != "" && w.EngineVersion != h.EngineVersion, func() { in.EngineVersion = awssdk.String(w.EngineVersion) })
	set(w.InstanceType != h.InstanceType, func() { in.HostInstanceType = awssdk.String(w.InstanceType) })
	set(w.AutoMinorVersionUpgrade != h.AutoMinorVersionUpgrade, func() { in.AutoMinorVersionUpgrade = awssdk.Bool(w.AutoMinorVersionUpgrade) })
	set(w.MaintenanceWindow != "" && w.MaintenanceWindow != maintenanceWindow(got.MaintenanceWindowStartTime), func() { in.MaintenanceWindowStartTime = weeklyStartTime(w.MaintenanceWindow) })
	set(w.Logs != h.Logs, func() { in.Logs = &mqtypes.Logs{General: awssdk.Bool(w.Logs)} })
	set(!slices.Equal(sortedRefs(w.SecurityGroups), sortedRefs(h.SecurityGroups)), func() { in.SecurityGroups = refStrings(w.SecurityGroups) })
	if changed {
		if _, err := d.MQ.UpdateBroker(ctx, in); err != nil {
			return driver.Observed{}, mapErr("UpdateBroker", "broker", lid, err)
		}
	}
	if err := d.retagBroker(ctx, lid, got, w); err != nil {
		return driver.Observed{}, err
	}
	return d.waitBroker(ctx, cur.ID)
}

// retagBroker records on broker b the version and maintenance window of
// w that differ from its tags; a window no longer asked loses its tag.
func (d *Driver) retagBroker(ctx context.Context, lid string, b *mq.DescribeBrokerOutput, w *blueprint.BrokerSpec) error {
	tags := map[string]string{}
	if w.EngineVersion != b.Tags[tagEngineVersion] {
		tags[tagEngineVersion] = w.EngineVersion
	}
	if w.MaintenanceWindow != "" && w.MaintenanceWindow != b.Tags[tagBrokerWindow] {
		tags[tagBrokerWindow] = w.MaintenanceWindow
	}
	if len(tags) > 0 {
		if _, err := d.MQ.CreateTags(ctx, &mq.CreateTagsInput{ResourceArn: b.BrokerArn, Tags: tags}); err != nil {
			return mapErr("CreateTags", "broker", lid, err)
		}
	}
	if _, asked := b.Tags[tagBrokerWindow]; asked && w.MaintenanceWindow == "" {
		_, err := d.MQ.DeleteTags(ctx, &mq.DeleteTagsInput{ResourceArn: b.BrokerArn, TagKeys: []string{tagBrokerWindow}})
		return mapErr("DeleteTags", "broker", lid, err)
	}
	return nil
}

// errBrokerProtected is the refusal of a broker delete the caller did not
// allow.
const errBrokerProtected = errString("aws: broker: a broker holds messages and Amazon MQ has no deletion protection: the driver deletes it only for a delete the caller allowed (AllowDataLoss)")

// deleteBroker deletes the broker, only when opts.LiftProtection says the
// caller allowed it, waits until it is gone, then deletes its secret
// without a recovery window. An incomplete broker is its secret alone.
func (d *Driver) deleteBroker(ctx context.Context, cur driver.Observed, opts driver.DeleteOptions) error {
	if !strings.HasPrefix(cur.ID, brokerSecretPrefix) {
		if !opts.LiftProtection {
			return driver.NewError("DeleteBroker", "broker", cur.ID, driver.Invalid, errBrokerProtected)
		}
		_, err := d.MQ.DeleteBroker(ctx, &mq.DeleteBrokerInput{BrokerId: awssdk.String(cur.ID)})
		if err != nil && !hasCode(err, driver.NotFound) {
			return mapErr("DeleteBroker", "broker", cur.ID, err)
		}
		err = d.retryWhile(ctx, driver.Dependency, func() error {
			_, err := d.MQ.DescribeBroker(ctx, &mq.DescribeBrokerInput{BrokerId: awssdk.String(cur.ID)})
			if err == nil {
				return driver.NewError("DescribeBroker", "broker", cur.ID, driver.Dependency, errString("aws: broker "+cur.ID+" is being deleted"))
			}
			return mapErr("DescribeBroker", "broker", cur.ID, err)
		})
		if err != nil && !hasCode(err, driver.NotFound) {
			return err
		}
	}
	for _, arn := range cur.Parts[PartSecret] {
		_, err := d.Secrets.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: awssdk.String(arn), ForceDeleteWithoutRecovery: awssdk.Bool(true)})
		if err != nil && !hasCode(err, driver.NotFound) {
			return mapErr("DeleteSecret", "broker", cur.ID, err)
		}
	}
	return nil
}
