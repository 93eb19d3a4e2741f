"""Independent witness of what the archkit AWS driver made on moto.

Reads everything with boto3 (not the Go SDK) and prints one JSON object.
Environment: WITNESS_ENDPOINT (moto URL), WITNESS_ACCOUNT (x-moto-account-id),
WITNESS_DEPLOYMENT (the archkit:deployment tag value), WITNESS_REGION.
"""
import json
import os

import boto3

endpoint = os.environ["WITNESS_ENDPOINT"]
account = os.environ["WITNESS_ACCOUNT"]
deployment = os.environ["WITNESS_DEPLOYMENT"]
region = os.environ.get("WITNESS_REGION", "us-east-1")
TAG = "archkit:deployment"


def client(name):
    c = boto3.client(name, endpoint_url=endpoint, region_name=region,
                     aws_access_key_id="testing", aws_secret_access_key="testing")

    def add_header(request, **kwargs):
        request.headers["x-moto-account-id"] = account

    c.meta.events.register("before-send.*.*", add_header)
    return c


ec2 = client("ec2")
elb = client("elbv2")
asg = client("autoscaling")
rds = client("rds")
owner = [{"Name": "tag:" + TAG, "Values": [deployment]}]

out = {}
vpcs = ec2.describe_vpcs(Filters=owner)["Vpcs"]
out["vpcs"] = [v["CidrBlock"] for v in vpcs]
vpc_ids = [v["VpcId"] for v in vpcs]
subnets = ec2.describe_subnets(Filters=owner)["Subnets"]
out["subnet_zones"] = sorted({s["AvailabilityZone"] for s in subnets})
out["subnets"] = len(subnets)
out["public_subnets"] = sum(1 for s in subnets if s["MapPublicIpOnLaunch"])

routes = {"igw": 0, "nat": 0}
for rt in ec2.describe_route_tables(Filters=owner)["RouteTables"]:
    for r in rt["Routes"]:
        if r.get("DestinationCidrBlock") != "0.0.0.0/0":
            continue
        if r.get("GatewayId", "").startswith("igw-"):
            routes["igw"] += 1
        if r.get("NatGatewayId"):
            routes["nat"] += 1
out["default_routes"] = routes
out["internet_gateways"] = len(ec2.describe_internet_gateways(Filters=owner)["InternetGateways"])
nats = [n for n in ec2.describe_nat_gateways()["NatGateways"]
        if n["State"] == "available" and any(t["Key"] == TAG and t["Value"] == deployment for t in n.get("Tags", []))]
out["nat_gateways"] = len(nats)
out["elastic_ips"] = len(ec2.describe_addresses(Filters=owner)["Addresses"])

group_pairs = 0
for g in ec2.describe_security_groups(Filters=owner)["SecurityGroups"]:
    for perm in g["IpPermissions"] + g["IpPermissionsEgress"]:
        group_pairs += len(perm.get("UserIdGroupPairs", []))
out["group_to_group_rules"] = group_pairs
acls = ec2.describe_network_acls(Filters=owner)["NetworkAcls"]
out["network_acls"] = [{"associations": len(a["Associations"]),
                        "deny_entries": sum(1 for e in a["Entries"] if e["RuleAction"] == "deny" and e["RuleNumber"] < 32767)}
                       for a in acls]

lbs = []
for lb in elb.describe_load_balancers()["LoadBalancers"]:
    tags = elb.describe_tags(ResourceArns=[lb["LoadBalancerArn"]])["TagDescriptions"][0]["Tags"]
    if not any(t["Key"] == TAG and t["Value"] == deployment for t in tags):
        continue
    listeners = elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]
    tgs = elb.describe_target_groups(LoadBalancerArn=lb["LoadBalancerArn"])["TargetGroups"]
    lbs.append({
        "type": lb["Type"], "scheme": lb["Scheme"],
        "zones": sorted(z["ZoneName"] for z in lb["AvailabilityZones"]),
        "listeners": sorted(f'{l["Protocol"]}:{l["Port"]}' for l in listeners),
        "health_check": [f'{t["HealthCheckProtocol"]}:{t["HealthCheckPort"]}{t.get("HealthCheckPath", "")}' for t in tgs],
    })
out["load_balancers"] = lbs

groups = []
for g in asg.describe_auto_scaling_groups()["AutoScalingGroups"]:
    if not any(t["Key"] == TAG and t["Value"] == deployment for t in g.get("Tags", [])):
        continue
    groups.append({"desired": g["DesiredCapacity"], "instances": len(g["Instances"]),
                   "target_groups": len(g.get("TargetGroupARNs", [])),
                   "subnets": len(g["VPCZoneIdentifier"].split(","))})
out["autoscaling_groups"] = groups

dbs = []
for db in rds.describe_db_instances()["DBInstances"]:
    if not any(t["Key"] == TAG and t["Value"] == deployment for t in db.get("TagList", [])):
        continue
    dbs.append({"engine": db["Engine"], "multi_az": db["MultiAZ"], "encrypted": db["StorageEncrypted"],
                "backup_retention": db["BackupRetentionPeriod"], "public": db["PubliclyAccessible"],
                "subnet_group_zones": sorted({s["SubnetAvailabilityZone"]["Name"] for s in db["DBSubnetGroup"]["Subnets"]})})
out["databases"] = dbs

# Everything still tagged for the deployment, for the leak check after
# destroy. moto keeps the tags of deleted resources in its tag index
# (describe_tags), so each kind is described instead; terminated instances
# and deleted NAT gateways stay visible for a while on AWS too.
left = []
left += [v["VpcId"] for v in vpcs] + [s["SubnetId"] for s in subnets]
left += [g["InternetGatewayId"] for g in ec2.describe_internet_gateways(Filters=owner)["InternetGateways"]]
left += [a["AllocationId"] for a in ec2.describe_addresses(Filters=owner)["Addresses"]]
left += [n["NatGatewayId"] for n in nats]
left += [r["RouteTableId"] for r in ec2.describe_route_tables(Filters=owner)["RouteTables"]]
left += [g["GroupId"] for g in ec2.describe_security_groups(Filters=owner)["SecurityGroups"]]
left += [a["NetworkAclId"] for a in acls]
for r in ec2.describe_instances(Filters=owner)["Reservations"]:
    left += [i["InstanceId"] for i in r["Instances"] if i["State"]["Name"] != "terminated"]
out["ec2_tagged"] = sorted(left)
out["launch_templates"] = len(ec2.describe_launch_templates(Filters=owner)["LaunchTemplates"])
out["target_groups"] = sum(
    1 for tg in elb.describe_target_groups()["TargetGroups"]
    if any(t["Key"] == TAG and t["Value"] == deployment
           for t in elb.describe_tags(ResourceArns=[tg["TargetGroupArn"]])["TagDescriptions"][0]["Tags"]))
out["db_subnet_groups"] = sum(
    1 for g in rds.describe_db_subnet_groups()["DBSubnetGroups"]
    if any(t["Key"] == TAG and t["Value"] == deployment
           for t in rds.list_tags_for_resource(ResourceName=g["DBSubnetGroupArn"])["TagList"]))
print(json.dumps(out, sort_keys=True))
