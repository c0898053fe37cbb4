package api

// accountRoutes registers the endpoints about the channels' provider
// accounts: balances, the providers' model lists and recent latency.
func (s *Server) accountRoutes() {
	s.mux.HandleFunc("GET /api/channels/{id}/balance", s.getBalance)
	s.mux.HandleFunc("POST /api/channels/{id}/balance/refresh", s.refreshBalanceHandler)
	s.mux.HandleFunc("GET /api/balances", s.listBalances)
	s.mux.HandleFunc("POST /api/balances/refresh", s.refreshAllBalances)
	s.mux.HandleFunc("GET /api/channels/{id}/models", s.getModels)
	s.mux.HandleFunc("POST /api/channels/models", s.draftModels)
	s.mux.HandleFunc("GET /api/stats/latency", s.channelLatencies)
}
