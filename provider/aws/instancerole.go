package aws

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// An instance role is an IAM role that EC2 may assume, its inline policy
// (blueprint.RolePolicyName) and an instance profile of the same name
// holding it. The role's provider id is its name, which the cluster's
// launch template names as its IamInstanceProfile. Roles live under the
// path "/archkit/<deployment>/", so that a List reads only the
// deployment's roles (ListRoles PathPrefix) before comparing their tags.

// ec2Trust lets EC2 assume the role for the instances of its profile.
const ec2Trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// tagRegion keeps the region of the deployment that made a role: IAM is
// global, so a deployment of the same name in another region must never
// take or list it.
const tagRegion = specTag + "region"

// tagSecret prefixes the role tags that map a database (the rest of the
// key, its identifier) to the ARN of its master user secret (the value),
// so that a read gives a statement its database back.
const tagSecret = specTag + "secret:"

// tagBrokerSecretOf prefixes the role tags that map a broker (the rest of
// the key, its id) to the ARN of its secret (the value), likewise.
const tagBrokerSecretOf = specTag + "broker-secret:"

func rolePath(deployment string) string { return "/archkit/" + deployment + "/" }

func iamTags(m map[string]string) []iamtypes.Tag {
	out := make([]iamtypes.Tag, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, iamtypes.Tag{Key: awssdk.String(k), Value: awssdk.String(m[k])})
	}
	return out
}

func fromIAMTags(ts []iamtypes.Tag) map[string]string {
	m := make(map[string]string, len(ts))
	for _, t := range ts {
		m[awssdk.ToString(t.Key)] = awssdk.ToString(t.Value)
	}
	return m
}

// needIAM refuses the IAM kinds on a Driver built without an IAM client.
func (d *Driver) needIAM(op, kind, id string) error {
	if d.IAM == nil {
		return driver.NewError(op, kind, id, driver.Unsupported, errors.New("aws: Driver.IAM is nil; build the driver with New or NewFromConfig"))
	}
	return nil
}

// scopeOf reads the partition and account of a role's ARN
// (arn:aws:iam::123456789012:role/...), with the driver's region.
func (d *Driver) scopeOf(roleARN string) blueprint.ARNScope {
	f := strings.SplitN(roleARN, ":", 6)
	sc := blueprint.ARNScope{Partition: "aws", Region: d.region}
	if len(f) == 6 {
		sc.Partition, sc.Account = f[1], f[4]
	}
	return sc
}

// secretARNs returns the ARN of the master user secret of every database
// the role's statements name (DescribeDBInstances MasterUserSecret), by
// the database's identifier, and of the secret of every broker they name
// (the broker's Parts["secret"]), by the broker's id, and the role tags
// that remember them.
func (d *Driver) secretARNs(ctx context.Context, s *blueprint.InstanceRoleSpec, id string) (map[blueprint.Ref]string, map[string]string, error) {
	arns, tags := map[blueprint.Ref]string{}, map[string]string{}
	for _, st := range s.Statements {
		if b := st.BrokerSecret; b != "" && arns[b] == "" {
			arn, err := d.brokerSecretARN(ctx, st.Sid, b, id)
			if err != nil {
				return nil, nil, err
			}
			arns[b], tags[tagBrokerSecretOf+string(b)] = arn, arn
		}
		if st.Secret == "" || arns[st.Secret] != "" {
			continue
		}
		out, err := d.RDS.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: awssdk.String(string(st.Secret))})
		if err != nil {
			return nil, nil, mapErr("DescribeDBInstances", "instance_role", id, err)
		}
		if len(out.DBInstances) == 0 || out.DBInstances[0].MasterUserSecret == nil || out.DBInstances[0].MasterUserSecret.SecretArn == nil {
			return nil, nil, driver.NewError("DescribeDBInstances", "instance_role", id, driver.Invalid,
				fmt.Errorf("statement %s: database %s has no master user secret; create it with ManageMasterUserPassword (archkit does)", st.Sid, st.Secret))
		}
		arn := awssdk.ToString(out.DBInstances[0].MasterUserSecret.SecretArn)
		arns[st.Secret], tags[tagSecret+string(st.Secret)] = arn, arn
	}
	return arns, tags, nil
}

// brokerSecretARN returns the ARN of the secret of broker (its id), which
// the driver made with it and keeps on it (Parts["secret"]).
func (d *Driver) brokerSecretARN(ctx context.Context, sid string, broker blueprint.Ref, id string) (string, error) {
	if err := d.ready("DescribeBroker", blueprint.KindBroker); err != nil {
		return "", err
	}
	o, err := d.readBroker(ctx, string(broker))
	if err != nil {
		return "", err
	}
	if arn := o.Parts[PartSecret]; len(arn) == 1 && arn[0] != "" {
		return arn[0], nil
	}
	return "", driver.NewError("DescribeBroker", "instance_role", id, driver.Invalid,
		fmt.Errorf("statement %s: broker %s has no secret of archkit's (tag %s); make the broker with archkit", sid, broker, tagBrokerSecret))
}

// createInstanceRole creates the role with its tags (CreateRole), its
// policy (PutRolePolicy) and its instance profile
// (CreateInstanceProfile, AddRoleToInstanceProfile). A role of that
// name that an earlier attempt made for the same resource (its
// deployment and logical id) is completed instead; one of anything else
// is AlreadyExists.
func (d *Driver) createInstanceRole(ctx context.Context, req driver.Request) (driver.Observed, error) {
	s, name := req.Resource.InstanceRole, req.Resource.InstanceRole.Name
	if err := d.needIAM("CreateRole", "instance_role", req.Resource.ID); err != nil {
		return driver.Observed{}, err
	}
	// IAM refuses a policy over its size only at PutRolePolicy, once the
	// role exists: refused here, nothing is half-made (moto checks no
	// size at all).
	if err := s.CheckPolicySize(); err != nil {
		return driver.Observed{}, driver.NewError("CreateRole", "instance_role", req.Resource.ID, driver.Invalid, err)
	}
	secrets, secretTags, err := d.secretARNs(ctx, s, req.Resource.ID)
	if err != nil {
		return driver.Observed{}, err
	}
	tags := withTags(req.Tags)
	for k, v := range secretTags {
		tags[k] = v
	}
	arn, err := d.ensureRole(ctx, req, name, rolePath(req.Deployment), ec2Trust, tags)
	if err != nil {
		return driver.Observed{}, err
	}
	if err := d.putRolePolicy(ctx, s, d.scopeOf(arn), secrets); err != nil {
		return driver.Observed{}, err
	}
	if err := d.ensureProfile(ctx, name, rolePath(req.Deployment), req.Tags); err != nil {
		return driver.Observed{}, err
	}
	return d.readInstanceRole(ctx, name)
}

// ensureRole creates the role name that trust lets a service assume, in
// path, with tags (CreateRole), and returns its ARN. A
// role of that name that an earlier attempt made for the same resource
// (its deployment and logical id) is taken instead; one of anything else
// is AlreadyExists.
func (d *Driver) ensureRole(ctx context.Context, req driver.Request, name, path, trust string, tags map[string]string) (string, error) {
	kind := string(req.Resource.Kind)
	tags = withTags(tags, tagRegion, d.region)
	out, err := d.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: awssdk.String(name), Path: awssdk.String(path),
		AssumeRolePolicyDocument: awssdk.String(trust), Description: awssdk.String("archkit " + req.Deployment + " " + req.Resource.ID),
		Tags: iamTags(tags)})
	if err == nil {
		return awssdk.ToString(out.Role.Arn), nil
	}
	if !isCode(err, driver.AlreadyExists) {
		return "", mapErr("CreateRole", kind, req.Resource.ID, err)
	}
	have, err := d.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: awssdk.String(name)})
	if err != nil {
		return "", mapErr("GetRole", kind, name, err)
	}
	if m := fromIAMTags(have.Role.Tags); !owned(m, req.Deployment) || m[driver.TagLogicalID] != req.Resource.ID || m[tagRegion] != d.region {
		return "", driver.NewError("CreateRole", kind, name, driver.AlreadyExists,
			fmt.Errorf("aws: role %s exists and is not %s of deployment %s in %s (IAM names are global: a deployment of the same name in another region holds it); rename the deployment or remove the role",
				name, req.Resource.ID, req.Deployment, d.region))
	}
	return awssdk.ToString(have.Role.Arn), nil
}

// putRolePolicy writes the role's inline policy, filled in for sc.
func (d *Driver) putRolePolicy(ctx context.Context, s *blueprint.InstanceRoleSpec, sc blueprint.ARNScope, secrets map[blueprint.Ref]string) error {
	doc, err := s.PolicyDocument(sc, secrets)
	if err != nil {
		return driver.NewError("PutRolePolicy", "instance_role", s.Name, driver.Invalid, err)
	}
	if n := blueprint.PolicyChars(doc); n > blueprint.MaxRolePolicyChars {
		return driver.NewError("PutRolePolicy", "instance_role", s.Name, driver.Invalid,
			fmt.Errorf("policy of %d characters, over IAM's %d (LimitExceeded); split the cluster's grants", n, blueprint.MaxRolePolicyChars))
	}
	_, err = d.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: awssdk.String(s.Name),
		PolicyName: awssdk.String(blueprint.RolePolicyName), PolicyDocument: awssdk.String(doc)})
	return mapErr("PutRolePolicy", "instance_role", s.Name, err)
}

// ensureProfile makes the instance profile of the role's name and puts
// the role in it, completing what an earlier attempt left.
func (d *Driver) ensureProfile(ctx context.Context, name, path string, tags map[string]string) error {
	_, err := d.IAM.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: awssdk.String(name),
		Path: awssdk.String(path), Tags: iamTags(tags)})
	if err != nil && !isCode(err, driver.AlreadyExists) {
		return mapErr("CreateInstanceProfile", "instance_role", name, err)
	}
	if in, err := d.profileHolds(ctx, name); in || err != nil {
		return err
	}
	_, err = d.IAM.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: awssdk.String(name), RoleName: awssdk.String(name)})
	if isCode(err, driver.Quota) {
		// A profile holds one role (LimitExceeded): the SDK's retry of a
		// call whose answer was lost finds the role put in already.
		if in, rerr := d.profileHolds(ctx, name); in && rerr == nil {
			return nil
		}
	}
	return mapErr("AddRoleToInstanceProfile", "instance_role", name, err)
}

// profileHolds reports whether the instance profile name holds the role
// of the same name.
func (d *Driver) profileHolds(ctx context.Context, name string) (bool, error) {
	p, err := d.IAM.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: awssdk.String(name)})
	if err != nil {
		return false, mapErr("GetInstanceProfile", "instance_role", name, err)
	}
	return slices.ContainsFunc(p.InstanceProfile.Roles, func(r iamtypes.Role) bool { return awssdk.ToString(r.RoleName) == name }), nil
}

// readInstanceRole reads the role (GetRole, ListRoleTags), its policy
// (GetRolePolicy, whose document IAM returns URL-encoded) and its
// profile (GetInstanceProfile). A role without its policy or its profile
// in place is Incomplete: an Update completes it.
func (d *Driver) readInstanceRole(ctx context.Context, name string) (driver.Observed, error) {
	o, _, err := d.readRole(ctx, name)
	return o, err
}

// readRole is readInstanceRole that also returns the role's tags, those
// Observed.Tags leaves out included.
func (d *Driver) readRole(ctx context.Context, name string) (driver.Observed, map[string]string, error) {
	if err := d.needIAM("GetRole", "instance_role", name); err != nil {
		return driver.Observed{}, nil, err
	}
	r, err := d.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: awssdk.String(name)})
	if err != nil {
		return driver.Observed{}, nil, mapErr("GetRole", "instance_role", name, err)
	}
	tags, err := d.roleTags(ctx, name, r.Role.Tags)
	if err != nil {
		return driver.Observed{}, nil, err
	}
	o := observed(blueprint.KindInstanceRole, name, tags, true, "available")
	spec := &blueprint.InstanceRoleSpec{Name: name}
	o.Resource.InstanceRole = spec
	pol, err := d.IAM.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: awssdk.String(name), PolicyName: awssdk.String(blueprint.RolePolicyName)})
	switch {
	case isCode(err, driver.NotFound):
		o.Incomplete = true
	case err != nil:
		return driver.Observed{}, nil, mapErr("GetRolePolicy", "instance_role", name, err)
	default:
		doc := awssdk.ToString(pol.PolicyDocument)
		if dec, err := url.QueryUnescape(doc); err == nil {
			doc = dec
		}
		secrets, brokers := map[string]blueprint.Ref{}, map[string]blueprint.Ref{}
		for k, v := range tags {
			if db, ok := strings.CutPrefix(k, tagSecret); ok {
				secrets[v] = blueprint.Ref(db)
			}
			if b, ok := strings.CutPrefix(k, tagBrokerSecretOf); ok {
				brokers[v] = blueprint.Ref(b)
			}
		}
		if spec.Statements, err = blueprint.ParsePolicyDocument(doc, d.scopeOf(awssdk.ToString(r.Role.Arn)), secrets, brokers); err != nil {
			return driver.Observed{}, nil, driver.NewError("GetRolePolicy", "instance_role", name, driver.Invalid, err)
		}
	}
	if !d.inProfile(ctx, name) {
		o.Incomplete = true
	}
	o.Parts = map[string][]string{"instance_profile": {name}}
	o.Resource.Normalize()
	return o, tags, nil
}

// roleTags returns the role's tags: GetRole's, or ListRoleTags' where
// GetRole gave none.
func (d *Driver) roleTags(ctx context.Context, name string, ts []iamtypes.Tag) (map[string]string, error) {
	if len(ts) > 0 {
		return fromIAMTags(ts), nil
	}
	out, err := d.IAM.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: awssdk.String(name)})
	if err != nil {
		return nil, mapErr("ListRoleTags", "instance_role", name, err)
	}
	return fromIAMTags(out.Tags), nil
}

// inProfile reports whether the instance profile of the name holds the
// role of the name.
func (d *Driver) inProfile(ctx context.Context, name string) bool {
	p, err := d.IAM.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: awssdk.String(name)})
	if err != nil {
		return false
	}
	for _, r := range p.InstanceProfile.Roles {
		if awssdk.ToString(r.RoleName) == name {
			return true
		}
	}
	return false
}

// listInstanceRoles lists the roles under the deployment's path
// (ListRoles PathPrefix, every page) whose tags name the deployment and
// the driver's region.
func (d *Driver) listInstanceRoles(ctx context.Context, q driver.Query) ([]driver.Observed, error) {
	if err := d.needIAM("ListRoles", "instance_role", ""); err != nil {
		return nil, err
	}
	var res []driver.Observed
	p := iam.NewListRolesPaginator(d.IAM, &iam.ListRolesInput{PathPrefix: awssdk.String(rolePath(q.Deployment))})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, mapErr("ListRoles", "instance_role", "", err)
		}
		for _, r := range page.Roles {
			if awssdk.ToString(r.Path) != rolePath(q.Deployment) {
				continue
			}
			o, tags, err := d.readRole(ctx, awssdk.ToString(r.RoleName))
			if isCode(err, driver.NotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			if owned(tags, q.Deployment) && o.LogicalID != "" && tags[tagRegion] == d.region {
				res = append(res, o)
			}
		}
	}
	return res, nil
}

// updateInstanceRole writes the policy again (PutRolePolicy replaces it)
// and completes the profile.
func (d *Driver) updateInstanceRole(ctx context.Context, req driver.Request, cur driver.Observed) (driver.Observed, error) {
	s := req.Resource.InstanceRole
	secrets, secretTags, err := d.secretARNs(ctx, s, req.Resource.ID)
	if err != nil {
		return driver.Observed{}, err
	}
	r, err := d.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: awssdk.String(cur.ID)})
	if err != nil {
		return driver.Observed{}, mapErr("GetRole", "instance_role", cur.ID, err)
	}
	if err := d.tagRoleSecrets(ctx, cur.ID, r.Role.Tags, secretTags); err != nil {
		return driver.Observed{}, err
	}
	if err := d.putRolePolicy(ctx, s, d.scopeOf(awssdk.ToString(r.Role.Arn)), secrets); err != nil {
		return driver.Observed{}, err
	}
	if err := d.ensureProfile(ctx, cur.ID, rolePath(req.Deployment), req.Tags); err != nil {
		return driver.Observed{}, err
	}
	return d.readInstanceRole(ctx, cur.ID)
}

// tagRoleSecrets adds to role the tags of the secrets its policy now
// names that it does not carry yet (TagRole), so that a read gives each
// statement its database or broker back: a grant of a secret added in
// place.
func (d *Driver) tagRoleSecrets(ctx context.Context, role string, have []iamtypes.Tag, secretTags map[string]string) error {
	tags, err := d.roleTags(ctx, role, have)
	if err != nil {
		return err
	}
	missing := map[string]string{}
	for k, v := range secretTags {
		if tags[k] != v {
			missing[k] = v
		}
	}
	if len(missing) == 0 {
		return nil
	}
	_, err = d.IAM.TagRole(ctx, &iam.TagRoleInput{RoleName: awssdk.String(role), Tags: iamTags(missing)})
	return mapErr("TagRole", "instance_role", role, err)
}

// deleteInstanceRole empties and deletes the profile, then deletes the
// policy and the role (IAM refuses to delete a role still in a profile or
// with a policy: DeleteConflict). What is already gone is skipped.
func (d *Driver) deleteInstanceRole(ctx context.Context, cur driver.Observed) error {
	if err := d.needIAM("DeleteRole", "instance_role", cur.ID); err != nil {
		return err
	}
	name := awssdk.String(cur.ID)
	steps := []struct {
		op string
		fn func() error
	}{
		{"RemoveRoleFromInstanceProfile", func() error {
			_, err := d.IAM.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: name, RoleName: name})
			return err
		}},
		{"DeleteInstanceProfile", func() error {
			_, err := d.IAM.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: name})
			return err
		}},
		{"DeleteRolePolicy", func() error {
			_, err := d.IAM.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: name, PolicyName: awssdk.String(blueprint.RolePolicyName)})
			return err
		}},
		{"DeleteRole", func() error { _, err := d.IAM.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: name}); return err }},
	}
	for _, s := range steps {
		if err := mapErr(s.op, "instance_role", cur.ID, s.fn()); err != nil && !isCode(err, driver.NotFound) {
			return err
		}
	}
	return nil
}
