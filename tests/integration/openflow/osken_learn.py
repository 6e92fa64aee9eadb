# osken_learn.py - a small os-ken learning switch (OpenFlow 1.3) for the
# tests and the benchmark: Debian's python3-os-ken ships no example apps.
# Installs a table-miss flow, learns source MACs per datapath, installs an
# exact (in_port, eth_src, eth_dst) flow with an idle timeout for known
# destinations (releasing a buffered packet with it) and floods the rest.
from os_ken.base import app_manager
from os_ken.controller import ofp_event
from os_ken.controller.handler import CONFIG_DISPATCHER, MAIN_DISPATCHER, set_ev_cls
from os_ken.ofproto import ofproto_v1_3


class LearningSwitch(app_manager.OSKenApp):
    OFP_VERSIONS = [ofproto_v1_3.OFP_VERSION]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.macs = {}

    @set_ev_cls(ofp_event.EventOFPSwitchFeatures, CONFIG_DISPATCHER)
    def features(self, ev):
        dp = ev.msg.datapath
        ofp, parser = dp.ofproto, dp.ofproto_parser
        actions = [parser.OFPActionOutput(ofp.OFPP_CONTROLLER, ofp.OFPCML_NO_BUFFER)]
        inst = [parser.OFPInstructionActions(ofp.OFPIT_APPLY_ACTIONS, actions)]
        dp.send_msg(parser.OFPFlowMod(datapath=dp, priority=0, match=parser.OFPMatch(), instructions=inst))

    @set_ev_cls(ofp_event.EventOFPPacketIn, MAIN_DISPATCHER)
    def packet_in(self, ev):
        msg = ev.msg
        dp = msg.datapath
        ofp, parser = dp.ofproto, dp.ofproto_parser
        in_port = msg.match['in_port']
        data = msg.data
        if len(data) < 14:
            return
        dst, src = data[0:6], data[6:12]
        table = self.macs.setdefault(dp.id, {})
        if not src[0] & 1:
            table[src] = in_port
        out = table.get(dst) if not dst[0] & 1 else None
        if out is None:
            out = ofp.OFPP_FLOOD
        elif out == in_port:
            return
        actions = [parser.OFPActionOutput(out)]
        if out != ofp.OFPP_FLOOD:
            match = parser.OFPMatch(in_port=in_port, eth_src=src.hex(':'), eth_dst=dst.hex(':'))
            inst = [parser.OFPInstructionActions(ofp.OFPIT_APPLY_ACTIONS, actions)]
            dp.send_msg(parser.OFPFlowMod(datapath=dp, priority=100, idle_timeout=60, match=match,
                                          instructions=inst, buffer_id=msg.buffer_id))
            if msg.buffer_id != ofp.OFP_NO_BUFFER:
                return
        body = None if msg.buffer_id != ofp.OFP_NO_BUFFER else data
        dp.send_msg(parser.OFPPacketOut(datapath=dp, buffer_id=msg.buffer_id, in_port=in_port,
                                        actions=actions, data=body))
