package aws

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// templatesEC2 is an account of n launch templates ("lt-0" to
// "lt-<n-1>") that answers DescribeLaunchTemplateVersions as EC2 does:
// one template's versions by its id, or the latest version of every
// template of the account in pages of MaxResults.
type templatesEC2 struct {
	EC2API
	n     int
	calls []string // "id:<template>" or "page:<token>"
}

func (s *templatesEC2) DescribeLaunchTemplateVersions(_ context.Context, in *ec2.DescribeLaunchTemplateVersionsInput, _ ...func(*ec2.Options)) (*ec2.DescribeLaunchTemplateVersionsOutput, error) {
	version := func(i int) ec2types.LaunchTemplateVersion {
		return ec2types.LaunchTemplateVersion{LaunchTemplateId: awssdk.String(fmt.Sprintf("lt-%d", i)), VersionNumber: awssdk.Int64(1),
			LaunchTemplateData: &ec2types.ResponseLaunchTemplateData{InstanceType: ec2types.InstanceTypeT3Micro}}
	}
	if id := awssdk.ToString(in.LaunchTemplateId); id != "" {
		s.calls = append(s.calls, "id:"+id)
		i, err := strconv.Atoi(id[len("lt-"):])
		if err != nil || i >= s.n {
			return nil, &smithy.GenericAPIError{Code: "InvalidLaunchTemplateId.NotFound", Message: id}
		}
		return &ec2.DescribeLaunchTemplateVersionsOutput{LaunchTemplateVersions: []ec2types.LaunchTemplateVersion{version(i)}}, nil
	}
	if !slices.Equal(in.Versions, []string{"$Latest"}) {
		return nil, fmt.Errorf("api error InvalidParameterValue: versions %v without a template", in.Versions)
	}
	start, _ := strconv.Atoi(awssdk.ToString(in.NextToken))
	s.calls = append(s.calls, "page:"+strconv.Itoa(start))
	out := &ec2.DescribeLaunchTemplateVersionsOutput{}
	end := min(s.n, start+int(awssdk.ToInt32(in.MaxResults)))
	for i := start; i < end; i++ {
		out.LaunchTemplateVersions = append(out.LaunchTemplateVersions, version(i))
	}
	if end < s.n {
		out.NextToken = awssdk.String(strconv.Itoa(end))
	}
	return out, nil
}

// TestLatestTemplateVersions counts the reads of the clusters' launch
// templates: one by id for one cluster, one page of the account's latest
// versions for several in an account of at most 200 templates, and in a
// larger account never more than 1.5 calls per cluster.
func TestLatestTemplateVersions(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		account int
		ids     []string
		calls   []string
	}{
		"one cluster":              {account: 5, ids: []string{"lt-3"}, calls: []string{"id:lt-3"}},
		"three in a small account": {account: 150, ids: []string{"lt-149", "lt-0", "lt-7"}, calls: []string{"page:0"}},
		"found on the first pages": {account: 1000, ids: []string{"lt-5", "lt-399", "lt-210", "lt-17"}, calls: []string{"page:0", "page:200"}},
		"the rest one by one": {account: 1000, ids: []string{"lt-5", "lt-999", "lt-998", "lt-10"},
			calls: []string{"page:0", "page:200", "id:lt-998", "id:lt-999"}},
		"a template gone":         {account: 10, ids: []string{"lt-1", "lt-12"}, calls: []string{"page:0"}},
		"gone in a large account": {account: 1000, ids: []string{"lt-1", "lt-1200"}, calls: []string{"page:0", "id:lt-1200"}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ec2c := &templatesEC2{n: tt.account}
			got, err := (&Driver{EC2: ec2c}).latestTemplateVersions(t.Context(), tt.ids)
			require.NoError(t, err)
			assert.Equal(t, tt.calls, ec2c.calls)
			assert.LessOrEqual(t, float64(len(ec2c.calls)), 1.5*float64(len(tt.ids)))
			for _, id := range tt.ids {
				if i, _ := strconv.Atoi(id[len("lt-"):]); i < tt.account {
					assert.Equal(t, id, awssdk.ToString(got[id].LaunchTemplateId))
				} else {
					assert.NotContains(t, got, id)
				}
			}
		})
	}
}
