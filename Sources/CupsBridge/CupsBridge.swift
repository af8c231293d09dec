import CCups
import IPP

