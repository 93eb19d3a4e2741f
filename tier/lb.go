package tier

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Scheme says who can reach a load balancer.
type Scheme string

// Load balancer schemes.
const (
	InternetFacing Scheme = "internet-facing" // reachable from the internet
	Internal       Scheme = "internal"        // reachable from inside the Net only
)

// LBType is the kind of load balancer.
type LBType string

// Load balancer types: an AWS ALB (HTTP/HTTPS, layer 7) or NLB (TCP/TLS,
// layer 4). OUTSCALE's LBU covers both.
const (
	Application LBType = "application"
	Network     LBType = "network"
)

// Listener accepts Protocol on Port and forwards to the targets on
// TargetProtocol and TargetPort. HTTPS and TLS listeners terminate TLS with
// Certificate (an ACM ARN on AWS, a server certificate ORN on OUTSCALE).
type Listener struct {
	Protocol       string `json:"protocol"` // HTTP, HTTPS, TCP, TLS
	Port           uint16 `json:"port"`
	TargetProtocol string `json:"target_protocol"`
	TargetPort     uint16 `json:"target_port"`
	Certificate    string `json:"certificate,omitempty"`
}

// HTTP returns an HTTP listener on port forwarding to HTTP targetPort.
func HTTP(port, targetPort uint16) Listener {
	return Listener{Protocol: "HTTP", Port: port, TargetProtocol: "HTTP", TargetPort: targetPort}
}

// HTTPS returns an HTTPS listener on port terminating TLS with
// certificate and forwarding to HTTP targetPort.
func HTTPS(port, targetPort uint16, certificate string) Listener {
	return Listener{Protocol: "HTTPS", Port: port, TargetProtocol: "HTTP", TargetPort: targetPort, Certificate: certificate}
}

// TCPListener returns a TCP listener on port forwarding to TCP targetPort.
func TCPListener(port, targetPort uint16) Listener {
	return Listener{Protocol: "TCP", Port: port, TargetProtocol: "TCP", TargetPort: targetPort}
}

// HealthCheck is how a load balancer decides that a target is healthy.
// Zero fields take the defaults of [HealthCheck.WithDefaults].
type HealthCheck struct {
	Protocol           string `json:"protocol"`
	Port               uint16 `json:"port"`
	Path               string `json:"path,omitempty"`
	IntervalSeconds    int    `json:"interval_seconds"`
	TimeoutSeconds     int    `json:"timeout_seconds"`
	HealthyThreshold   int    `json:"healthy_threshold"`
	UnhealthyThreshold int    `json:"unhealthy_threshold"`
}

// WithDefaults returns h with its zero fields set from the first listener
// l: the target protocol and port, path "/" for HTTP(S), every 30 seconds,
// a 5-second timeout, healthy after 3 successes and unhealthy after 3
// failures (values both AWS and OUTSCALE accept).
func (h HealthCheck) WithDefaults(l Listener) HealthCheck {
	if h.Protocol == "" {
		h.Protocol = l.TargetProtocol
		if h.Protocol == "" {
			h.Protocol = "TCP"
		}
	}
	if h.Port == 0 {
		h.Port = l.TargetPort
	}
	if h.Path == "" && (h.Protocol == "HTTP" || h.Protocol == "HTTPS") {
		h.Path = "/"
	}
	if h.IntervalSeconds == 0 {
		h.IntervalSeconds = 30
	}
	if h.TimeoutSeconds == 0 {
		h.TimeoutSeconds = 5
	}
	if h.HealthyThreshold == 0 {
		h.HealthyThreshold = 3
	}
	if h.UnhealthyThreshold == 0 {
		h.UnhealthyThreshold = 3
	}
	return h
}

// LB is a load balancer in front of the cluster of tier Target. It sits in
// the subnets of tier Tier (public subnets for an InternetFacing LB), at least two
// zones; its own security group takes the listeners' traffic and is the
// only source the target tier accepts on the target port.
type LB struct {
	Name   string `json:"name"`
	Scheme Scheme `json:"scheme"`
	Type   LBType `json:"type"`
	// Tier is the tier whose subnets hold the load balancer.
	Tier string `json:"tier"`
	// Target is the tier whose cluster receives the traffic.
	Target      string      `json:"target"`
	Listeners   []Listener  `json:"listeners"`
	HealthCheck HealthCheck `json:"health_check"`

	// The secure defaults, each with its opt-out (the zero value is the
	// secure choice; blueprint.LoadBalancerSpec gives the controls they
	// meet and how each cloud applies them).

	// PlainHTTP lets HTTP listeners forward plain HTTP beside an HTTPS
	// listener. false: they redirect to HTTPS (AWS ELB.1).
	PlainHTTP bool `json:"plain_http,omitempty"`
	// TLSPolicy is the security policy of the HTTPS and TLS listeners;
	// "": blueprint.DefaultTLSPolicy, the policy AWS recommends.
	TLSPolicy string `json:"tls_policy,omitempty"`
	// KeepInvalidHeaders lets an application load balancer pass invalid
	// HTTP header fields to its targets. false: it drops them (AWS
	// ELB.4).
	KeepInvalidHeaders bool `json:"keep_invalid_headers,omitempty"`
	// AllowDeletion turns deletion protection off. false: the load
	// balancer cannot be deleted outside archkit (AWS ELB.6); archkit's
	// own deletes lift the protection first.
	AllowDeletion bool `json:"allow_deletion,omitempty"`
}

// PublicLB returns an internet-facing application load balancer named name
// in tier's subnets, forwarding HTTP on port 80 to target on targetPort.
// Add an [HTTPS] listener to terminate TLS.
func PublicLB(name, tier, target string, targetPort uint16) LB {
	return LB{Name: name, Scheme: InternetFacing, Type: Application, Tier: tier, Target: target,
		Listeners: []Listener{HTTP(80, targetPort)}}
}

// InternalLB returns an internal application load balancer named name in
// tier's subnets, forwarding HTTP on targetPort to target on targetPort.
func InternalLB(name, tier, target string, targetPort uint16) LB {
	return LB{Name: name, Scheme: Internal, Type: Application, Tier: tier, Target: target,
		Listeners: []Listener{HTTP(targetPort, targetPort)}}
}

// EffectiveHealthCheck returns the health check with its defaults filled
// in from the first listener.
func (lb LB) EffectiveHealthCheck() HealthCheck {
	var first Listener
	if len(lb.Listeners) > 0 {
		first = lb.Listeners[0]
	}
	return lb.HealthCheck.WithDefaults(first)
}

// TargetPorts returns the distinct ports the targets are reached on (the
// listeners' target ports and the health-check port), sorted.
func (lb LB) TargetPorts() []uint16 {
	var ps []uint16
	for _, l := range lb.Listeners {
		ps = append(ps, l.TargetPort)
	}
	if hc := lb.EffectiveHealthCheck(); hc.Port != 0 {
		ps = append(ps, hc.Port)
	}
	slices.Sort(ps)
	return slices.Compact(ps)
}

var (
	l7 = []string{"HTTP", "HTTPS"}
	l4 = []string{"TCP", "TLS", "UDP"}
)

// Validate checks lb and reports every problem at once.
func (lb LB) Validate() error {
	var errs []error
	f := "lb[" + lb.Name + "]"
	if err := CheckName(lb.Name); err != nil {
		errs = append(errs, fieldError("lb.name", fmt.Sprintf("%q", lb.Name), err.Error(), "use letters, digits and '-', starting with a letter"))
	}
	if lb.Scheme != InternetFacing && lb.Scheme != Internal {
		errs = append(errs, fieldError(f+".scheme", fmt.Sprintf("%q", lb.Scheme), "unknown scheme", "use tier.InternetFacing or tier.Internal"))
	}
	protos := l7
	switch lb.Type {
	case Application:
	case Network:
		protos = l4
	default:
		errs = append(errs, fieldError(f+".type", fmt.Sprintf("%q", lb.Type), "unknown type", "use tier.Application or tier.Network"))
	}
	if lb.Tier == "" {
		errs = append(errs, fieldError(f+".tier", `""`, "empty tier", "name the tier whose subnets hold the load balancer"))
	}
	if lb.Target == "" {
		errs = append(errs, fieldError(f+".target", `""`, "empty target", "name the tier whose cluster receives the traffic"))
	}
	if lb.Tier != "" && lb.Tier == lb.Target {
		errs = append(errs, fieldError(f+".tier", lb.Tier, "same tier as the target", "put the load balancer in subnets of its own (tier.LoadBalancers)"))
	}
	if len(lb.Listeners) == 0 {
		errs = append(errs, fieldError(f+".listeners", "[]", "no listener", "add one, e.g. tier.HTTP(80, 8080)"))
	}
	ports := map[uint16]bool{}
	for i, l := range lb.Listeners {
		lf := fmt.Sprintf("%s.listeners[%d]", f, i)
		if !slices.Contains(protos, l.Protocol) {
			errs = append(errs, fieldError(lf+".protocol", fmt.Sprintf("%q", l.Protocol), "not a "+string(lb.Type)+" load balancer protocol", "use one of "+strings.Join(protos, ", ")))
		}
		if !slices.Contains(protos, l.TargetProtocol) {
			errs = append(errs, fieldError(lf+".target_protocol", fmt.Sprintf("%q", l.TargetProtocol), "not a "+string(lb.Type)+" load balancer protocol", "use one of "+strings.Join(protos, ", ")))
		}
		if l.Port == 0 {
			errs = append(errs, fieldError(lf+".port", "0", "port 0 is not a port", "use 1-65535"))
		} else if ports[l.Port] {
			errs = append(errs, fieldError(lf+".port", fmt.Sprint(l.Port), "two listeners on one port", "give each listener its own port"))
		}
		ports[l.Port] = true
		if l.TargetPort == 0 {
			errs = append(errs, fieldError(lf+".target_port", "0", "port 0 is not a port", "use the port the targets listen on"))
		}
		tls := l.Protocol == "HTTPS" || l.Protocol == "TLS"
		if tls && l.Certificate == "" {
			errs = append(errs, fieldError(lf+".certificate", `""`, l.Protocol+" listener without a certificate", "give the certificate ARN (AWS) or ORN (OUTSCALE)"))
		}
		if !tls && l.Certificate != "" {
			errs = append(errs, fieldError(lf+".certificate", l.Certificate, "certificate on a "+l.Protocol+" listener", "use HTTPS or TLS, or drop the certificate"))
		}
	}
	hc := lb.EffectiveHealthCheck()
	hf := f + ".health_check"
	if hc.IntervalSeconds < 5 || hc.IntervalSeconds > 300 {
		errs = append(errs, fieldError(hf+".interval_seconds", fmt.Sprint(hc.IntervalSeconds), "outside 5-300 seconds", "use 5 to 300"))
	}
	if hc.TimeoutSeconds < 2 || hc.TimeoutSeconds >= hc.IntervalSeconds {
		fix := fmt.Sprintf("use 2 to %d", hc.IntervalSeconds-1)
		if hc.IntervalSeconds <= 2 {
			fix = "use 2 or more, with a longer interval"
		}
		errs = append(errs, fieldError(hf+".timeout_seconds", fmt.Sprint(hc.TimeoutSeconds), "timeout must be at least 2 seconds and shorter than the interval", fix))
	}
	if hc.HealthyThreshold < 2 || hc.HealthyThreshold > 10 {
		errs = append(errs, fieldError(hf+".healthy_threshold", fmt.Sprint(hc.HealthyThreshold), "outside 2-10", "use 2 to 10"))
	}
	if hc.UnhealthyThreshold < 2 || hc.UnhealthyThreshold > 10 {
		errs = append(errs, fieldError(hf+".unhealthy_threshold", fmt.Sprint(hc.UnhealthyThreshold), "outside 2-10", "use 2 to 10"))
	}
	if (hc.Protocol == "HTTP" || hc.Protocol == "HTTPS") && !strings.HasPrefix(hc.Path, "/") {
		errs = append(errs, fieldError(hf+".path", fmt.Sprintf("%q", hc.Path), "path must start with '/'", "use a path such as /healthz"))
	}
	return errors.Join(errs...)
}
