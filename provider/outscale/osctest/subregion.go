package osctest

type subregionOut struct{ SubregionName, RegionName, State, LocationCode string }

func init() {
	handlers["ReadSubregions"] = (*Server).readSubregions
}

func (s *Server) readSubregions(body []byte) (map[string]any, *apiError) {
	var in struct {
		readRequest
		Filters struct{ SubregionNames, RegionNames, States []string }
	}
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	var out []subregionOut
	for _, sr := range s.opts.Subregions {
		if any1(in.Filters.SubregionNames, sr) && any1(in.Filters.RegionNames, s.opts.Region) && any1(in.Filters.States, "available") {
			out = append(out, subregionOut{SubregionName: sr, RegionName: s.opts.Region, State: "available", LocationCode: "PAR1"})
		}
	}
	return pageOut("Subregions", out, &in.readRequest)
}
